/**
 * Replicas of a control-plane component, of which only the leader acts.
 *
 *   replica 0: elector ──leads──> start()  ... lost ──> stop(), candidate again
 *   replica 1: elector ──waits──────────────────────────> leads ──> start()
 *
 * The component itself (chapter 09's scheduler, chapter 08's controller
 * manager) knows nothing of this: it is started when its replica starts
 * leading, and stopped when it stops leading. That is the whole contract of
 * a leader-elected component: between start() and stop() it may write; at
 * any other time it must not. A real kube-scheduler that loses its lease
 * exits and is restarted by its supervisor; a replica here does the same in
 * place: it stops the component and campaigns again.
 */
import { randomBytes } from "node:crypto";
import { connect, createServer, type AddressInfo, type Socket } from "node:net";
import { hostname } from "node:os";
import { RestClient } from "../../04-kubectl/client/rest.ts";
import { realClock, type Clock } from "./clock.ts";
import { LeaderElector } from "./leader-elector.ts";
import { LeaseLock, type ResourceLock } from "./resource-lock.ts";

/** What runs while its replica leads. */
export interface Stoppable {
  stop(): Promise<void>;
}

export interface LeaderElectionTiming {
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

/** One replica: its identity on the lease, whether it leads now, and how to stop it (as a crash or a kill would). */
export interface Replica {
  readonly identity: string;
  isLeader(): boolean;
  /** Stops this replica: its component if it leads, then its elector, which releases the lease. */
  stop(): Promise<void>;
  /** Stops this replica WITHOUT releasing the lease, like a process that dies: the others wait for the lease to expire. */
  kill(): Promise<void>;
}

export interface ReplicatedComponent extends Stoppable {
  readonly replicas: readonly Replica[];
}

export interface RunReplicaOptions extends LeaderElectionTiming {
  lock: ResourceLock;
  identity: string;
  start: () => Promise<Stoppable>;
  /** Called first by kill(): cut what the component could still send, as a dead process sends nothing. */
  onKill?: () => void;
  clock?: Clock;
  log?: (line: string) => void;
}

/** One replica: campaigns, runs the component while it leads, campaigns again after a loss. */
export function runReplica(options: RunReplicaOptions): Replica {
  const log = options.log ?? (() => {});
  const clock = options.clock ?? realClock;
  const stopped = new AbortController();
  let release = true;
  let running: Promise<Stoppable | undefined> | undefined;
  let elector: LeaderElector | undefined;

  const loop = (async () => {
    while (!stopped.signal.aborted) {
      const term = new AbortController();
      const onStop = () => term.abort();
      stopped.signal.addEventListener("abort", onStop, { once: true });
      elector = new LeaderElector({
        ...options,
        get releaseOnCancel() {
          return release;
        },
        log,
        clock,
        callbacks: {
          onStartedLeading() {
            log(`${options.identity}: leading, starting`);
            running = options.start().catch((err: Error) => {
              // A leader that cannot start gives the lease back and campaigns again.
              log(`${options.identity}: could not start: ${err.message}`);
              term.abort();
              return undefined;
            });
          },
          async onStoppedLeading() {
            const component = await running;
            running = undefined;
            await component?.stop();
            log(`${options.identity}: stopped leading`);
          },
        },
      });
      try {
        await elector.run(term.signal);
      } catch (err) {
        // An elector that throws (a bug, or a step not written yet) is a crashed
        // process: log it and campaign again, as its supervisor would restart it.
        // Unhandled, the rejection would surface far from here, as noise in every test.
        log(`${options.identity}: the elector failed: ${(err as Error).message}`);
      }
      stopped.signal.removeEventListener("abort", onStop);
      // A loss (or a failed start) campaigns again after a pause, like a restarted process.
      if (!stopped.signal.aborted) await clock.sleep(options.retryPeriodMs ?? 2000, stopped.signal);
    }
  })();

  return {
    identity: options.identity,
    isLeader: () => !stopped.signal.aborted && (elector?.isLeader() ?? false),
    async stop() {
      stopped.abort();
      await loop;
    },
    async kill() {
      options.onKill?.();
      release = false;
      stopped.abort();
      await loop;
    },
  };
}

export interface LeaderElectedOptions extends LeaderElectionTiming {
  server: string;
  token?: string;
  /** How many replicas of each component. Default 2. */
  replicas?: number;
  /** The namespace of the leases. Default kube-system. */
  namespace?: string;
  log?: (line: string) => void;
}

/**
 * A wrapper for the cluster bring-up: runs `replicas` copies of a component,
 * each behind its own elector, all on the Lease named `leaseName` (Kubernetes
 * uses kube-system/kube-scheduler and kube-system/kube-controller-manager).
 */
export function leaderElected(options: LeaderElectedOptions) {
  return async (leaseName: string, start: (server: string) => Promise<Stoppable>): Promise<ReplicatedComponent> => {
    const client = new RestClient({ server: options.server, token: options.token });
    const lock = new LeaseLock(client, options.namespace ?? "kube-system", leaseName);
    const roads = await Promise.all(Array.from({ length: options.replicas ?? 2 }, () => ownRoad(options.server)));
    const replicas = roads.map((road, i) =>
      runReplica({
        ...options,
        lock,
        // Kubernetes: the host name and a unique suffix, so a restarted process is a new candidate.
        identity: `${hostname()}_${leaseName}-${i}_${randomBytes(3).toString("hex")}`,
        start: () => start(road.url),
        onKill: () => road.cut(),
      }),
    );
    return {
      replicas,
      async stop() {
        await Promise.all(replicas.map((r) => r.stop()));
        for (const road of roads) road.cut();
      },
    };
  };
}

/**
 * A replica's own road to the apiserver: a loopback TCP relay. The replicas
 * share this process, so killing one cannot end its component's requests
 * the way a dead process's connections end. Cutting its road does: what the
 * killed component sends next fails, as it would from a dead process. (A
 * request already sent may still land; the next leader acts only after the
 * lease has expired, long after.)
 */
async function ownRoad(server: string): Promise<{ url: string; cut(): void }> {
  const target = new URL(server);
  const sockets = new Set<Socket>();
  const relay = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      sockets.add(from);
      from.on("close", () => sockets.delete(from));
      from.on("error", () => to.destroy());
      from.pipe(to);
    }
  });
  await new Promise<void>((resolve, reject) => relay.once("error", reject).listen(0, "127.0.0.1", resolve));
  const port = (relay.address() as AddressInfo).port;
  return {
    url: `${target.protocol}//127.0.0.1:${port}`,
    cut() {
      relay.close();
      for (const s of sockets) s.destroy();
    },
  };
}
