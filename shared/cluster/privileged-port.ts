/**
 * Serving a port below 1024 (DNS's 53) on an address of this host, for a
 * user who is only in the docker group.
 *
 * Linux lets only privileged processes bind ports below 1024
 * (net.ipv4.ip_unprivileged_port_start). The workshop must not need sudo,
 * nor change that setting. But a user of the docker group may start a
 * container that shares the host's network namespace: its root may bind
 * port 53 there. Our images have no Node.js, so the container runs the
 * host's own Node.js, with the host's files mounted read-only and chroot:
 *
 *   docker run --network host -v /:/host:ro busybox \
 *     chroot /host node shared/cluster/privileged-port-forwarder.mjs 172.21.128.10 53 172.21.0.1 40123 <pid>
 *
 * The relay inside forwards UDP and TCP from <address>:53 to the real
 * server's ordinary port. The container carries the cluster's labels (so
 * the sweeper removes one left by a crash), is removed on close, and ends
 * by itself when its parent process is gone. Nothing on the host changes.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type Docker from "dockerode";

const RELAY = join(dirname(fileURLToPath(import.meta.url)), "privileged-port-forwarder.mjs");

export interface PrivilegedPortOptions {
  docker: Docker;
  /** An image with `chroot` (busybox). */
  image: string;
  listen: { host: string; port: number };
  target: { host: string; port: number };
  labels: Record<string, string>;
  /** How long to wait for the relay to listen. Default 15 s. */
  timeoutMs?: number;
}

/** Starts the relay; resolves once it listens, with how to stop it. */
export async function forwardPrivilegedPort(options: PrivilegedPortOptions): Promise<{ close(): Promise<void> }> {
  const { docker, listen, target } = options;
  const container = await docker.createContainer({
    Image: options.image,
    Cmd: [
      "chroot",
      "/host",
      process.execPath,
      RELAY,
      listen.host,
      String(listen.port),
      target.host,
      String(target.port),
      String(process.pid),
    ],
    Labels: { ...options.labels, "k8s-workshop.role": "privileged-port" },
    HostConfig: { NetworkMode: "host", Binds: ["/:/host:ro"], AutoRemove: false },
  });
  const close = async () => {
    await container.remove({ force: true }).catch(() => {});
  };
  try {
    await container.start();
    const deadline = Date.now() + (options.timeoutMs ?? 15_000);
    for (;;) {
      const output = (await container.logs({ stdout: true, stderr: true })).toString("utf8").replace(/[\x00-\x08]/g, "");
      if (output.includes("ready")) break;
      const state = (await container.inspect()).State;
      if (!state.Running || Date.now() > deadline) {
        throw new Error(
          `the relay for ${listen.host}:${listen.port} did not start: ${output.trim() || (state.Running ? "no answer in time" : `exit ${state.ExitCode}`)}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { close };
}
