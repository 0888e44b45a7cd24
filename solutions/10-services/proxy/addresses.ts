/**
 * Cluster IPs on the bridge: for the proxy to listen on 10.96.0.12:8000, the
 * host must own 10.96.0.12. We add each cluster IP as an extra address of the
 * cluster network's bridge (br-xxxx), with a /32 mask: the host answers ARP
 * for it on that bridge, so pods reach it directly, and nothing else changes.
 *
 *   ip addr add 192.168.40.7/32 dev br-3f2a9c1d0e4b      (and `ip addr del` to remove it)
 *
 * Changing a host's addresses needs the CAP_NET_ADMIN capability. A user in
 * the docker group does not have it, but may start a container that has it:
 * a short-lived busybox in the host's network namespace (network_mode host,
 * cap_add NET_ADMIN) runs the `ip` commands and is removed. Several changes
 * that arrive together go into one container.
 *
 * Every address added is removed by close(): a test run leaves none behind.
 */
import type Docker from "dockerode";

export interface BridgeAddressesOptions {
  docker: Docker;
  /** The bridge interface, e.g. br-3f2a9c1d0e4b. */
  bridge: string;
  /** The image that has `ip` (busybox). */
  image: string;
  /** Labels for the helper containers (the cluster's, so cleanup finds a stray one). */
  labels?: Record<string, string>;
}

type Change = { ip: string; op: "add" | "del"; done: () => void; failed: (err: Error) => void };

export function ipCommands(bridge: string, changes: readonly { ip: string; op: "add" | "del" }[]): string {
  return changes
    .map((c) => (c.op === "add" ? `ip addr replace ${c.ip}/32 dev ${bridge}` : `{ ip addr del ${c.ip}/32 dev ${bridge} 2>/dev/null || true; }`))
    .join(" && ");
}

export class BridgeAddresses {
  /** Addresses added (or being added: the promise says when it is there). */
  private readonly owned = new Map<string, Promise<void>>();
  private pending: Change[] = [];
  private running: Promise<void> | undefined;
  private draining = false;

  constructor(private readonly options: BridgeAddressesOptions) {}

  get bridge(): string {
    return this.options.bridge;
  }

  /** The addresses this manager has on the bridge now. */
  addresses(): string[] {
    return [...this.owned.keys()];
  }

  add(ip: string): Promise<void> {
    const existing = this.owned.get(ip);
    if (existing) return existing;
    const added = this.change(ip, "add").catch((err: Error) => {
      if (this.owned.get(ip) === added) this.owned.delete(ip);
      throw err;
    });
    this.owned.set(ip, added);
    return added;
  }

  remove(ip: string): Promise<void> {
    if (!this.owned.delete(ip)) return Promise.resolve();
    return this.change(ip, "del");
  }

  /** Removes every address it added. */
  async close(): Promise<void> {
    await Promise.all([...this.owned.keys()].map((ip) => this.remove(ip)));
    await this.running;
  }

  private change(ip: string, op: "add" | "del"): Promise<void> {
    return new Promise((done, failed) => {
      this.pending.push({ ip, op, done, failed });
      if (this.draining) return;
      this.draining = true;
      this.running = this.drain();
    });
  }

  /** Runs the waiting changes, a batch per helper container, until none are left. */
  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      try {
        await this.run(ipCommands(this.options.bridge, batch));
        for (const c of batch) c.done();
      } catch (err) {
        for (const c of batch) c.failed(err as Error);
      }
    }
    this.draining = false; // right after the check, with no await between: a later change starts a new drain
  }

  /** Runs a shell script in a short-lived container with NET_ADMIN in the host's network namespace. */
  private async run(script: string): Promise<void> {
    const { docker, image, labels } = this.options;
    const container = await docker.createContainer({
      Image: image,
      Cmd: ["sh", "-c", `${script} 2>&1`],
      Labels: { ...labels, "k8s-workshop.role": "bridge-addresses" },
      HostConfig: { NetworkMode: "host", CapAdd: ["NET_ADMIN"] },
    });
    try {
      await container.start();
      const { StatusCode } = (await container.wait()) as { StatusCode: number };
      if (StatusCode !== 0) {
        const output = (await container.logs({ stdout: true, stderr: true })).toString("utf8").replace(/[\x00-\x08]/g, "").trim();
        throw new Error(`could not change the addresses of ${this.options.bridge} (exit ${StatusCode}): ${output || script}`);
      }
    } finally {
      await container.remove({ force: true }).catch(() => {});
    }
  }
}
