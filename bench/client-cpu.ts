/**
 * How much CPU does chapter 04's RestClient spend per request? 64 concurrent
 * POSTs of a pod (about 1 KB of JSON) to a trivial node:http server in the
 * same process that echoes the body; CPU time from process.cpuUsage(), so
 * client and server together. The server does almost nothing, so the figure
 * is mostly the client's cost.
 *
 *   npx tsx bench/client-cpu.ts [requests] [tree root]   (default 20000, this repo)
 *
 * The tree root lets an A/B run compare another checkout's client (an older
 * commit unpacked elsewhere) with this one, alternately, on the same load.
 */
import http from "node:http";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { RestClient as RestClientType } from "../solutions/04-kubectl/client/rest.ts";

const CLIENTS = 64;
const WARMUP = 500;

const total = Number(process.argv[2] ?? 20_000);
if (!Number.isInteger(total) || total <= 0) {
  console.error(`usage: npx tsx bench/client-cpu.ts [requests] [tree root]: requests must be a positive whole number (got ${process.argv[2]})`);
  process.exit(1);
}
const root = path.resolve(process.argv[3] ?? path.join(import.meta.dirname, ".."));
const { RestClient } = (await import(pathToFileURL(path.join(root, "solutions/04-kubectl/client/rest.ts")).href)) as {
  RestClient: typeof RestClientType;
};

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    const body = Buffer.concat(chunks);
    res.writeHead(201, { "content-type": "application/json", "content-length": body.length });
    res.end(body);
  });
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const { port } = server.address() as { port: number };
const client = new RestClient({ server: `http://127.0.0.1:${port}` });

const pod = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "bench", namespace: "bench", labels: { app: "bench", tier: "load" }, annotations: { note: "x".repeat(700) } },
  spec: { nodeName: "hollow-1", containers: [{ name: "main", image: "busybox", command: ["sleep", "3600"] }] },
};
const create = () => client.request("POST", "/api/v1/namespaces/bench/pods", { body: pod });

try {
  for (let i = 0; i < WARMUP; i++) await create();
  let sent = 0;
  const worker = async () => {
    while (sent < total) {
      sent++;
      await create();
    }
  };
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  await Promise.all(Array.from({ length: CLIENTS }, worker));
  const cpu = process.cpuUsage(cpu0);
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `${root}: ${total} requests of ${JSON.stringify(pod).length} B, ${CLIENTS} clients: ` +
      `${((cpu.user + cpu.system) / total).toFixed(0)} µs CPU per request (client + server), ${(total / seconds).toFixed(0)} requests/s`,
  );
} finally {
  server.closeAllConnections();
  server.close();
}
