/**
 * Nothing left behind: the scratch copy and the helpers of the tests of
 * Ctrl-C in a real terminal (tmux) and of the sweeper after a run killed with
 * SIGKILL. Each of those tests is a file of its own with a copy of its own
 * (interrupt*.test.ts), so two test workers run them at the same time, and
 * the copy's checkout label tells exactly which containers, networks and
 * bridge addresses that file's runs created.
 */
import type { ChildProcess } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { networkInterfaces } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { afterAll, beforeAll, expect, inject } from "vitest";
import { REPO_ROOT } from "../../shared/chapters.ts";
import { CHECKOUT_LABEL, connectDocker } from "../../shared/docker.ts";
import { adminAuth } from "./admin-auth.ts";
import { removeWhereCheckout } from "./leftovers.ts";
import { scratchCopy } from "./scratch-copy.ts";
import { type Terminal, tmuxAvailable } from "./terminal.ts";

export const docker = connectDocker();

export interface InterruptScratch {
  /** Whether these tests can run here: a Docker engine, tmux, and chapter 10 in solutions/. */
  runs: boolean;
  /** The file's copy of the repository (set in beforeAll). */
  copy(): string;
  /** Terminals and child processes the test opened: killed after the file, whatever happened. */
  terminals: Terminal[];
  children: ChildProcess[];
}

/** Registers the file's beforeAll (a scratch copy) and afterAll (kill, remove leftovers, remove the copy). */
export function interruptScratch(): InterruptScratch {
  const runs = inject("dockerAvailable") && tmuxAvailable() && existsSync(join(REPO_ROOT, "solutions", "10-services"));
  let copy = "";
  const scratch: InterruptScratch = { runs, copy: () => copy, terminals: [], children: [] };
  beforeAll(() => {
    if (runs) copy = scratchCopy("ctrl-c-test-", ["examples"]);
  });
  afterAll(async () => {
    for (const t of scratch.terminals) t.kill();
    for (const child of scratch.children) if (child.exitCode === null) child.kill("SIGKILL");
    if (!copy) return;
    await removeWhereCheckout(docker, copy); // only if a test failed half-way
    rmSync(copy, { recursive: true, force: true });
  });
  return scratch;
}

/** Every container and network of the copy's runs, and whether a bridge still has a service address. */
export async function leftovers(copy: string): Promise<string[]> {
  const filter = { label: [`${CHECKOUT_LABEL}=${copy}`] };
  const containers = await docker.listContainers({ all: true, filters: filter });
  const networks = await docker.listNetworks({ filters: filter });
  return [...containers.map((c) => `container ${c.Names[0]}`), ...networks.map((n) => `network ${n.Name}`)];
}

/** The bridge interface of a network the way Docker names it, and its addresses (gone once the network is). */
export function bridgeAddresses(networkId: string): string[] {
  return (networkInterfaces()[`br-${networkId.slice(0, 12)}`] ?? []).filter((a) => a.family === "IPv4").map((a) => a.address);
}

export async function create(url: string, dataDir: string, path: string, body: unknown): Promise<void> {
  const res = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...adminAuth(dataDir) },
    body: JSON.stringify(body),
  });
  expect(res.status, await res.clone().text()).toBe(201);
}

export const example = (file: string) =>
  parse(readFileSync(join(REPO_ROOT, "examples", file), "utf8")) as Record<string, unknown> & { spec: Record<string, unknown> };

export async function runningPods(url: string, dataDir: string, selector: string): Promise<number> {
  const res = await fetch(`${url}/api/v1/namespaces/default/pods?labelSelector=${encodeURIComponent(selector)}`, {
    headers: adminAuth(dataDir),
  });
  const list = (await res.json()) as { items: { status?: { phase?: string } }[] };
  return list.items.filter((p) => p.status?.phase === "Running").length;
}
