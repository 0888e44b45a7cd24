/**
 * A real etcd server on loopback: one member, free ports, a temp data dir.
 * stop() kills it and deletes the dir. The tests (test/harness/etcd.ts) and
 * the benchmarks (bench/) both start theirs here.
 *
 *   const etcd = await startEtcd();
 *   new EtcdStore(etcd.endpoint) ...
 *   await etcd.stop();
 *
 * Needs /usr/bin/etcd (Debian: apt-get install etcd-server), or ETCD_BINARY.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const ETCD_BINARY = process.env.ETCD_BINARY ?? "/usr/bin/etcd";

export interface EtcdServer {
  /** The client URL, e.g. http://127.0.0.1:40123 */
  endpoint: string;
  /** The etcd process id (benchmarks read its memory). */
  pid: number | undefined;
  stop(): Promise<void>;
}

/** A port nobody listens on right now (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface StartEtcdOptions {
  /** How long to wait for etcd to answer. Default 10 s. */
  timeoutMs?: number;
  /**
   * Run etcd in its own process group, so that a Ctrl-C in the terminal
   * reaches only our process, which then stops etcd after its clients.
   */
  detached?: boolean;
}

export async function startEtcd(options: StartEtcdOptions = {}): Promise<EtcdServer> {
  const dir = await mkdtemp(join(tmpdir(), "k8s-workshop-etcd-"));
  const clientPort = await freePort();
  let peerPort = await freePort();
  while (peerPort === clientPort) peerPort = await freePort();
  const client = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  let output = "";
  const child: ChildProcess = spawn(
    ETCD_BINARY,
    [
      "--name=test",
      `--data-dir=${join(dir, "data")}`,
      `--listen-client-urls=${client}`,
      `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=test=${peer}`,
      "--initial-cluster-state=new",
      "--log-level=warn",
    ],
    { stdio: ["ignore", "pipe", "pipe"], detached: options.detached ?? false },
  );
  child.stdout?.on("data", (b: Buffer) => (output = (output + b.toString()).slice(-4000)));
  child.stderr?.on("data", (b: Buffer) => (output = (output + b.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  // If our process exits without calling stop(), leave neither etcd nor its data behind.
  const killOnExit = () => {
    child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  };
  process.once("exit", killOnExit);

  const stop = async () => {
    process.off("exit", killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(killer);
    }
    await rm(dir, { recursive: true, force: true });
  };

  // Wait until the JSON gateway answers a range request.
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`etcd exited with code ${child.exitCode}: ${output}`);
    }
    const ok = await fetch(`${client}/v3/kv/range`, { method: "POST", body: JSON.stringify({ key: "AA==" }) }).then(
      (res) => res.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`etcd did not answer on ${client} within ${options.timeoutMs ?? 10_000} ms: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { endpoint: client, pid: child.pid, stop };
}
