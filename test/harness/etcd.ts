/**
 * A real etcd server for tests: one member on 127.0.0.1, free ports, a temp
 * data dir; stop() kills it and deletes the dir.
 *
 *   const etcd = etcdTest();
 *   describe.skipIf(!etcd.available)("...", () => {
 *     let server: EtcdServer;
 *     beforeAll(async () => (server = await etcd.start()));
 *     afterAll(() => server?.stop());
 *   });
 *
 * Without /usr/bin/etcd (Debian: apt-get install etcd-server) the tests skip
 * with a message, except under CI=true where a missing etcd fails the run.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitFor } from "./wait.ts";

export const ETCD_BINARY = process.env.ETCD_BINARY ?? "/usr/bin/etcd";

export interface EtcdServer {
  /** The client URL, e.g. http://127.0.0.1:40123 */
  endpoint: string;
  stop(): Promise<void>;
}

export function etcdTest(): { available: boolean; start: () => Promise<EtcdServer> } {
  const available = existsSync(ETCD_BINARY);
  if (!available) {
    if (process.env.CI === "true") {
      throw new Error(`CI=true but ${ETCD_BINARY} is missing: CI must run the etcd tests (apt-get install etcd-server)`);
    }
    console.warn(`${ETCD_BINARY} not found: skipping the real-etcd tests (apt-get install etcd-server to run them).`);
  }
  return { available, start: startEtcd };
}

/** A port nobody listens on right now (the OS picks it). */
async function freePort(): Promise<number> {
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

export async function startEtcd(): Promise<EtcdServer> {
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
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout?.on("data", (b: Buffer) => (output = (output + b.toString()).slice(-4000)));
  child.stderr?.on("data", (b: Buffer) => (output = (output + b.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  // If the test process dies without teardown, do not leave etcd running.
  const killOnExit = () => child.kill("SIGKILL");
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

  try {
    await waitFor(`etcd to answer on ${client}`, async () => {
      if (child.exitCode !== null) throw new Error(`etcd exited with code ${child.exitCode}: ${output}`);
      const res = await fetch(`${client}/v3/kv/range`, { method: "POST", body: JSON.stringify({ key: "AA==" }) });
      return res.ok;
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { endpoint: client, stop };
}
