/** Docker for the benchmarks: every container carries k8s-workshop.bench=<run id>, and the run's cleanup removes them. */
import type Docker from "dockerode";
import { connectDocker, dockerAnswers, removeLabelled } from "../../shared/docker.ts";
import { onCleanup } from "./cleanup.ts";

export const BENCH_LABEL = "k8s-workshop.bench";

export { connectDocker, dockerAnswers };

/** Removes every container and network labelled with this run, when the run ends (or is stopped). */
export function removeByLabelOnCleanup(docker: Docker, runId: string): () => Promise<void> {
  return onCleanup(`containers labelled ${BENCH_LABEL}=${runId}`, async () => {
    await removeLabelled(docker, BENCH_LABEL, runId);
  });
}
