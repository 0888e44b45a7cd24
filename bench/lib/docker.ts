/** Docker for the benchmarks: every container carries k8s-workshop.bench=<run id>, and the run's cleanup removes them. */
import type Docker from "dockerode";
import { connectDocker, dockerAnswers } from "../../shared/docker.ts";
import { onCleanup } from "./cleanup.ts";

export const BENCH_LABEL = "k8s-workshop.bench";

export { connectDocker, dockerAnswers };

/** Removes every container and network labelled with this run, when the run ends (or is stopped). */
export function removeByLabelOnCleanup(docker: Docker, runId: string): () => Promise<void> {
  return onCleanup(`containers labelled ${BENCH_LABEL}=${runId}`, async () => {
    const filters = { label: [`${BENCH_LABEL}=${runId}`] };
    const containers = await docker.listContainers({ all: true, filters });
    await Promise.all(
      containers.map((c) =>
        docker
          .getContainer(c.Id)
          .remove({ force: true, v: true })
          .catch(() => {}),
      ),
    );
    const networks = await docker.listNetworks({ filters });
    for (const n of networks)
      await docker
        .getNetwork(n.Id)
        .remove()
        .catch(() => {});
  });
}
