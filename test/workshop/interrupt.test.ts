/**
 * Nothing left behind: Ctrl-C in a real terminal during npm start removes
 * every container, the network and the Service addresses. The other tests of
 * leftovers (Ctrl-C during a check, the sweeper after SIGKILL) are files of
 * their own: interrupt-check.test.ts and interrupt-sweep.test.ts.
 */
import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { waitFor } from "../harness/wait.ts";
import { bridgeAddresses, create, docker, example, interruptScratch, leftovers, runningPods } from "./interrupt-scratch.ts";
import { openTerminal } from "./terminal.ts";

const s = interruptScratch();

describe.skipIf(!s.runs)("nothing is left behind", () => {
  it("npm start with an RC of 3 pods and a Service: Ctrl-C in a terminal removes every container, the network and the addresses", async () => {
    const copy = s.copy();
    const dataDir = mkdtempSync(join(copy, "data-"));
    const term = await openTerminal(copy, { NO_COLOR: "1" });
    s.terminals.push(term);
    term.type(`npm start -- --port 0 --no-dashboard --fresh --data ${dataDir} --kubeconfig ${join(dataDir, "kubeconfig")}`);
    const url = (await term.waitFor(/The cluster is up\. apiserver: (http:\/\/127\.0\.0\.1:\d+)/, 180_000))[1]!;
    const network = (await term.waitFor(/network (k8s-workshop-[0-9a-f]{8})/))[1]!;
    const networkId = (await docker.getNetwork(network).inspect()).Id as string;

    const rc = example("rc.yaml");
    rc.spec.replicas = 3;
    await create(url, dataDir, "/api/v1/namespaces/default/replicationcontrollers", rc);
    await create(url, dataDir, "/api/v1/namespaces/default/services", example("service.yaml"));
    await waitFor("the RC's 3 pods to run", async () => (await runningPods(url, dataDir, "app=web")) === 3, {
      timeoutMs: 120_000,
    });
    // The Service's cluster IP is an address on the cluster's bridge, besides the gateway.
    await waitFor("the Service's address on the bridge", () => bridgeAddresses(networkId).length >= 2, { timeoutMs: 60_000 });
    expect((await leftovers(copy)).filter((l) => l.startsWith("container")).length).toBeGreaterThanOrEqual(6); // 3 pods: pause + httpd each

    term.keys("C-c"); // SIGINT to npm, sh and node at once, as a learner's Ctrl-C
    await term.waitForPrompt(60_000);
    // The report comes before the prompt: npm waits for node's cleanup.
    expect(term.output()).toMatch(/stopped: removed \d+ containers, network k8s-workshop-/);
    expect(await leftovers(copy)).toEqual([]);
    expect(bridgeAddresses(networkId)).toEqual([]);
  }, 400_000);
});
