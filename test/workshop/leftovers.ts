/** Test cleanup of last resort: removes every container and network that carries a scratch checkout's label. */
import type Docker from "dockerode";
import { CHECKOUT_LABEL, removeLabelled } from "../../shared/docker.ts";

export async function removeWhereCheckout(docker: Docker, checkout: string): Promise<void> {
  await removeLabelled(docker, CHECKOUT_LABEL, checkout);
}
