/**
 * Try it (chapter 01): your DockerRuntime on the real engine.
 *
 *   npx tsx examples/runtime.ts              # your runtime (chapters/01-containers)
 *   npx tsx examples/runtime.ts solutions    # the reference
 *
 * It starts one container with a memory limit, runs a command in it, reads its
 * logs, then stops it with a 3-second grace period. Its PID 1 ignores SIGTERM,
 * so the stop ends with SIGKILL: exit code 137. Watch it from a second
 * terminal with `docker ps -a --filter label=workshop.try=01`.
 * Ctrl-C removes the container.
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { logText } from "../shared/runtime/types.ts";
import { TEST_IMAGE } from "../shared/test-image.ts";

const tree = process.argv[2] === "solutions" ? "solutions" : "chapters";
const entry = pathToFileURL(resolve(import.meta.dirname, "..", tree, "01-containers/docker-runtime.ts")).href;
const { DockerRuntime } = (await import(entry)) as typeof import("../solutions/01-containers/docker-runtime.ts");

const runtime = new DockerRuntime();
const labels = { "workshop.try": "01" };
let id: string | undefined;
const cleanUp = async () => {
  if (id) await runtime.remove(id).catch(() => {});
};
process.once("SIGINT", () => void cleanUp().then(() => process.exit(130)));

try {
  await runtime.ensureImage(TEST_IMAGE, (p) => console.log(`  image: ${p.status}`));
  for (const old of await runtime.list(labels)) await runtime.remove(old.id);
  id = await runtime.create({
    name: "try-01",
    image: TEST_IMAGE,
    command: ["sh", "-c", "echo started as PID $$ on $(hostname); echo a warning >&2; exec sleep 3600"],
    hostname: "try-01",
    labels,
    resources: { memoryBytes: 32 * 1024 * 1024 },
  });
  await runtime.start(id);
  console.log(
    "running:",
    (await runtime.list(labels)).map((c) => `${c.name} ${c.state}`),
  );
  const exec = await runtime.exec(id, ["cat", "/proc/self/cgroup"]);
  console.log(`exec exit code ${exec.exitCode}, cgroup: ${exec.stdout.trim().split("\n").at(-1)}`);
  const logs = await runtime.logs(id);
  console.log(`stdout: ${JSON.stringify(logText(logs, "stdout"))}  stderr: ${JSON.stringify(logText(logs, "stderr"))}`);
  console.log("stopping with a 3 s grace period (sleep as PID 1 ignores SIGTERM) ...");
  const t0 = Date.now();
  await runtime.stop(id, 3);
  const status = await runtime.inspect(id);
  console.log(`stopped after ${((Date.now() - t0) / 1000).toFixed(1)} s: state ${status.state}, exit code ${status.exitCode}`);
} finally {
  await cleanUp();
}
