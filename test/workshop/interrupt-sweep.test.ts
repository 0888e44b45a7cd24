/**
 * Nothing left behind: a run killed with SIGKILL leaves objects behind, and
 * the next npm start removes them (the sweeper, workshop/sweeper.ts).
 */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { waitFor } from "../harness/wait.ts";
import { create, example, interruptScratch, leftovers, runningPods } from "./interrupt-scratch.ts";
import { openTerminal } from "./terminal.ts";

const s = interruptScratch();

describe.skipIf(!s.runs)("nothing is left behind", () => {
  it("a run killed with SIGKILL leaves objects behind, and the next npm start removes them and says so", async () => {
    const copy = s.copy();
    const dataDir = mkdtempSync(join(copy, "data-"));
    const args = [
      "--import",
      "tsx",
      "workshop/cli.ts",
      "up",
      "--port",
      "0",
      "--no-dashboard",
      "--fresh",
      "--data",
      dataDir,
      "--kubeconfig",
      join(dataDir, "kubeconfig"),
    ];
    const killed = spawn(process.execPath, args, {
      cwd: copy,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    s.children.push(killed);
    let text = "";
    killed.stdout!.on("data", (d: Buffer) => (text += d));
    killed.stderr!.on("data", (d: Buffer) => (text += d));
    const url = await waitFor(
      "the cluster to be up",
      () => {
        if (killed.exitCode !== null) throw new Error(`up exited: ${text}`);
        return /The cluster is up\. apiserver: (\S+)/.exec(text)?.[1];
      },
      { timeoutMs: 180_000 },
    );
    await create(url, dataDir, "/api/v1/namespaces/default/pods", example("pod.yaml"));
    await waitFor("the pod to run", async () => (await runningPods(url, dataDir, "app=web")) === 1, { timeoutMs: 120_000 });
    killed.kill("SIGKILL");
    await new Promise((done) => killed.once("exit", done));
    const left = await leftovers(copy);
    expect(left.filter((l) => l.startsWith("container")).length).toBeGreaterThanOrEqual(2);
    expect(left.filter((l) => l.startsWith("network")).length).toBe(1);

    const term = await openTerminal(copy, { NO_COLOR: "1" });
    s.terminals.push(term);
    term.type(`npm start -- --port 0 --no-dashboard --data ${dataDir} --kubeconfig ${join(dataDir, "kubeconfig")}`);
    const line = await term.waitFor(
      new RegExp(
        `removed what an earlier run left behind \\(pid ${killed.pid}, no longer running\\): \\d+ containers, network k8s-workshop-`,
      ),
      120_000,
    );
    expect(line[0]).toBeDefined();
    for (const name of left) expect(await leftovers(copy)).not.toContain(name);
    await term.waitFor(/The cluster is up/, 180_000);
    term.keys("C-c");
    await term.waitForPrompt(60_000);
    expect(await leftovers(copy)).toEqual([]);
  }, 500_000);
});
