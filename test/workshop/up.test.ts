/**
 * `npm start` (workshop/cli.ts up): the cluster comes up on loopback, answers,
 * stops cleanly on Ctrl-C (SIGINT) and keeps its data for the next start.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../shared/chapters.ts";
import { waitFor } from "../harness/wait.ts";

const dataDir = mkdtempSync(join(tmpdir(), "k8s-workshop-up-"));
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
});

/** Starts `up` on a free port and resolves with its apiserver URL once it says the cluster is up. */
async function startUp(): Promise<{ url: string; child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "workshop/cli.ts", "up", "--port", "0", "--data", dataDir], {
    cwd: REPO_ROOT,
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let text = "";
  child.stdout!.on("data", (d: Buffer) => (text += d));
  child.stderr!.on("data", (d: Buffer) => (text += d));
  const url = await waitFor("the cluster to say it is up", () => {
    if (child.exitCode !== null) throw new Error(`up exited with ${child.exitCode}: ${text}`);
    return /The cluster is up\. apiserver: (http:\/\/127\.0\.0\.1:\d+)/.exec(text)?.[1];
  });
  return { url, child, output: () => text };
}

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  child.kill("SIGINT");
  return exited;
}

describe("npm start", () => {
  it("serves the API on loopback, stops on Ctrl-C, and keeps what was written", async () => {
    const first = await startUp();
    const version = (await (await fetch(`${first.url}/version`)).json()) as { major: string };
    expect(version.major).toBe("1");
    const created = await fetch(`${first.url}/api/v1/namespaces`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: "kept-across-restarts" } }),
    });
    expect(created.status).toBe(201);
    expect(await stop(first.child)).toBe(0);
    expect(first.output()).toMatch(/stopped\./);

    const second = await startUp();
    const got = await fetch(`${second.url}/api/v1/namespaces/kept-across-restarts`);
    expect(got.status).toBe(200);
    expect(await stop(second.child)).toBe(0);
  });

  it("rejects a bad option with one line", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "workshop/cli.ts", "up", "--tree", "elsewhere"], {
      cwd: REPO_ROOT,
      env: { ...process.env, NO_COLOR: "1" },
    });
    children.push(child);
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).toBe(1);
    expect(err.trim()).toBe('error: --tree is "solutions" (the reference) or "chapters" (your code), not "elsewhere"');
  });
});
