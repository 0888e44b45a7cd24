/** Test cleanup of last resort: removes every container and network that carries a scratch checkout's label. */
import type Docker from "dockerode";
import { CHECKOUT_LABEL } from "../../shared/docker.ts";

export async function removeWhereCheckout(docker: Docker, checkout: string): Promise<void> {
  const filter = { label: [`${CHECKOUT_LABEL}=${checkout}`] };
  const containers = await docker.listContainers({ all: true, filters: filter });
  await Promise.all(
    containers.map((c) =>
      docker
        .getContainer(c.Id)
        .remove({ force: true, v: true })
        .catch(() => {}),
    ),
  );
  for (const n of await docker.listNetworks({ filters: filter }))
    await docker
      .getNetwork(n.Id)
      .remove()
      .catch(() => {});
}
