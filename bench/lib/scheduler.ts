/**
 * The chapter 09 scheduler in its own process, for the scheduler figure.
 * kube-scheduler is its own process too: run in the bench process, the
 * scheduler would share one JavaScript thread with the 64 creating clients
 * and the counting watch, and the figure would measure that sharing.
 *
 * Started by bench/lib/scheduler-process.ts with the apiserver's URL; says
 * "ready" once its informers are synced; on "stop" stops and reports how many
 * pods it bound and the errors it saw.
 */
import { startScheduler } from "../../solutions/09-scheduler/index.ts";

export type SchedulerRequest = { type: "stop" };
export type SchedulerMessage =
  | { type: "ready" }
  | { type: "failed"; message: string }
  | { type: "stopped"; scheduled: number; eventsDropped: number; errors: string[]; cpuMs: number };

const send = (message: SchedulerMessage) => process.send?.(message);

async function main(): Promise<void> {
  const server = process.argv[2] ?? "";
  const errors: string[] = [];
  const scheduler = await startScheduler({ server, onError: (err) => errors.push(err.message) });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await scheduler.stop().catch((err: Error) => errors.push(err.message));
    // CPU time of this whole process (decisions, watch decoding, bindings, events) since it was ready.
    const { user, system } = process.cpuUsage(ready);
    send({
      type: "stopped",
      scheduled: scheduler.scheduled,
      eventsDropped: scheduler.eventsDropped,
      errors: errors.slice(0, 5),
      cpuMs: (user + system) / 1000,
    });
    process.exit(0);
  };
  process.on("message", (m: SchedulerRequest) => m.type === "stop" && void stop());
  // The parent went away (Ctrl-C, crash): stop too.
  process.on("disconnect", () => void stop());
  process.on("SIGTERM", () => void stop());
  // Ctrl-C reaches the whole process group: the parent stops us in order.
  process.on("SIGINT", () => {});
  // Loading the modules and listing the nodes are not the pods' work.
  const ready = process.cpuUsage();
  send({ type: "ready" });
}

main().catch((err: Error) => {
  send({ type: "failed", message: err.message });
  process.exit(1);
});
