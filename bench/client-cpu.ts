/**
 * How much CPU does chapter 04's RestClient spend per request? 64 concurrent
 * POSTs of a pod (about 1 KB of JSON) to a trivial node:http server in the
 * same process that echoes the body; CPU time from process.cpuUsage(), so
 * client and server together. The server does almost nothing, so the figure
 * is mostly the client's cost.
 *
 *   npx tsx bench/client-cpu.ts [requests] [tree root] [other tree root]
 *   (default 20000 requests, this repo)
 *
 * A tree root lets an A/B run compare another checkout's client (an older
 * commit unpacked elsewhere) with this one. With two roots, both clients run
 * in this one process, in batches of 1,000 requests that take turns (ABBA
 * order), and each prints the median of its batches: on a shared machine the
 * load changes from second to second, and two separate runs, even
 * alternated, measure the load more than the client.
 */
import http from "node:http";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { RestClient as RestClientType } from "../solutions/04-kubectl/client/rest.ts";

const CLIENTS = 64;
const WARMUP = 500;
/** Requests per batch when two clients take turns. */
const BATCH = 1_000;

const total = Number(process.argv[2] ?? 20_000);
if (!Number.isInteger(total) || total <= 0) {
  console.error(
    `usage: npx tsx bench/client-cpu.ts [requests] [tree root] [other tree root]: requests must be a positive whole number (got ${process.argv[2]})`,
  );
  process.exit(1);
}
const roots = [path.resolve(process.argv[3] ?? path.join(import.meta.dirname, ".."))];
if (process.argv[4]) roots.push(path.resolve(process.argv[4]));

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

const pod = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "bench", namespace: "bench", labels: { app: "bench", tier: "load" }, annotations: { note: "x".repeat(700) } },
  spec: { nodeName: "hollow-1", containers: [{ name: "main", image: "busybox", command: ["sleep", "3600"] }] },
};

/** `count` creates by CLIENTS concurrent callers; the CPU time (µs) and wall time (ms) they took. */
async function run(client: RestClientType, count: number): Promise<{ cpu: number; ms: number }> {
  let sent = 0;
  const worker = async () => {
    while (sent < count) {
      sent++;
      await client.request("POST", "/api/v1/namespaces/bench/pods", { body: pod });
    }
  };
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  await Promise.all(Array.from({ length: CLIENTS }, worker));
  const cpu = process.cpuUsage(cpu0);
  return { cpu: cpu.user + cpu.system, ms: performance.now() - started };
}

try {
  const clients: RestClientType[] = [];
  for (const root of roots) {
    const { RestClient } = (await import(pathToFileURL(path.join(root, "solutions/04-kubectl/client/rest.ts")).href)) as {
      RestClient: typeof RestClientType;
    };
    const client = new RestClient({ server: `http://127.0.0.1:${port}` });
    for (let i = 0; i < WARMUP; i++) await client.request("POST", "/api/v1/namespaces/bench/pods", { body: pod });
    clients.push(client);
  }
  const size = `${total} requests of ${JSON.stringify(pod).length} B, ${CLIENTS} clients`;
  if (clients.length === 1) {
    const { cpu, ms } = await run(clients[0]!, total);
    console.log(
      `${roots[0]}: ${size}: ${(cpu / total).toFixed(0)} µs CPU per request (client + server), ${(total / (ms / 1000)).toFixed(0)} requests/s`,
    );
  } else {
    const perBatch: number[][] = [[], []];
    for (let batch = 0; batch < Math.ceil(total / BATCH); batch++) {
      // ABBA: each client goes first as often as the other
      const order = batch % 2 === 0 ? [0, 1] : [1, 0];
      for (const i of order) perBatch[i]!.push((await run(clients[i]!, BATCH)).cpu / BATCH);
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    roots.forEach((root, i) => {
      const values = perBatch[i]!;
      console.log(
        `${root}: ${size}, batches of ${BATCH} taking turns: median ${median(values).toFixed(0)} µs CPU per request ` +
          `(client + server; batches from ${Math.min(...values).toFixed(0)} to ${Math.max(...values).toFixed(0)})`,
      );
    });
  }
} finally {
  server.closeAllConnections();
  server.close();
}
