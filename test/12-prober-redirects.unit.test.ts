/**
 * Chapter 12, decided behaviour of httpGet probes and redirects, as the
 * kubelet's prober does it: a redirect to the same host is followed, a
 * redirect to another host is not (its 3xx counts as a success).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runProbe, type ProbeTarget } from "@tree/12-self-healing/probes/prober.ts";
import type { ContainerRuntime } from "../shared/runtime/types.ts";

describe("12.1 httpGet probes and redirects", () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const to = (location: string) => res.writeHead(302, { location }).end();
      if (req.url === "/healthz") return void res.writeHead(200).end("ok");
      if (req.url === "/old-healthz") return void to("/healthz");
      if (req.url === "/old-broken") return void to("/missing");
      if (req.url === "/elsewhere") return void to(`http://localhost:${port}/missing`);
      if (req.url === "/loop") return void to("/loop");
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const target = (): ProbeTarget => ({ runtime: {} as ContainerRuntime, containerId: "", container: { name: "app" }, podIP: "127.0.0.1" });
  const probe = (path: string) => runProbe({ httpGet: { path, port }, timeoutSeconds: 2 }, target());

  it("follows a redirect on the same host, and judges the page it leads to", async () => {
    expect((await probe("/old-healthz")).result).toBe("success");
    const broken = await probe("/old-broken");
    expect(broken.result).toBe("failure");
    expect(broken.message).toContain("404");
  });

  it("does not follow a redirect to another host: the 3xx is a success", async () => {
    // 127.0.0.1 -> localhost is another host name, even on the same machine.
    expect((await probe("/elsewhere")).result).toBe("success");
  });

  it("fails after too many redirects", async () => {
    const loop = await probe("/loop");
    expect(loop.result).toBe("failure");
    expect(loop.message).toMatch(/stopped after 10 redirects/);
  });
});
