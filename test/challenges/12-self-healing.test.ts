/**
 * Chapter 12 challenges: optional extensions. They fail until you build
 * them; run them with `npm run check 12 -- --challenges`.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KubeletProbeManager } from "@tree/12-self-healing/probes/probe-manager.ts";
import { runProbe, type ProbeTarget } from "@tree/12-self-healing/probes/prober.ts";
import type { Pod } from "../../shared/api/index.ts";
import type { ContainerRuntime, ContainerStatus } from "../../shared/runtime/types.ts";
import { waitFor } from "../harness/wait.ts";

describe("12 challenge", () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === "/elsewhere") return void res.writeHead(302, { location: `http://localhost:${port}/` }).end();
      res.writeHead(200).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it("a redirect to another host is a success with a warning", async () => {
    // Give ProbeOutcome an optional `warning`, as Kubernetes' ProbeWarning event.
    const target: ProbeTarget = { runtime: {} as ContainerRuntime, containerId: "", container: { name: "app" }, podIP: "127.0.0.1" };
    const outcome = (await runProbe({ httpGet: { path: "/elsewhere", port } }, target)) as { result: string; warning?: string };
    expect(outcome.result).toBe("success");
    expect(outcome.warning ?? "").toMatch(/redirect/i);
  });

  it("a startup probe holds back liveness until it succeeds", async () => {
    const calls: string[] = [];
    let started = false;
    const runtime = {
      exec: async (_id: string, command: string[]) => {
        calls.push(command[0]!);
        const ok = command[0] === "start" ? started : true;
        return { exitCode: ok ? 0 : 1, stdout: "", stderr: "" };
      },
      stop: async () => {},
    } as unknown as ContainerRuntime;
    const client = { request: async () => ({}), resource: () => ({ create: async () => ({}), path: () => "/" }) };
    const manager = new KubeletProbeManager({ nodeName: "n", runtime, client: client as never, log: () => {} });
    const pod: Pod = {
      metadata: { name: "p", namespace: "default", uid: "u" },
      spec: {
        containers: [
          {
            name: "app",
            image: "busybox",
            startupProbe: { exec: { command: ["start"] }, periodSeconds: 1, failureThreshold: 30 },
            livenessProbe: { exec: { command: ["live"] }, periodSeconds: 1 },
          } as never,
        ],
      },
      status: { podIP: "127.0.0.1" },
    };
    const running = new Map([["app", { id: "c1", name: "app", state: "running", startedAt: new Date(Date.now() - 60_000).toISOString() } as unknown as ContainerStatus]]);
    try {
      manager.podSynced(pod, running, () => {});
      await waitFor("the startup probe to run twice", () => calls.filter((c) => c === "start").length >= 2, { timeoutMs: 10_000 });
      expect(calls).not.toContain("live");
      started = true;
      await waitFor("the liveness probe to run once the startup probe succeeded", () => calls.includes("live"), { timeoutMs: 10_000 });
    } finally {
      await manager.stop();
    }
  });
});
