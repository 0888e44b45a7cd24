/**
 * Chapter 03: optimistic concurrency under load. 10 clients each add 1 to a
 * counter 20 times by read-modify-write (GET, then PUT with the
 * resourceVersion they read), retrying on 409 Conflict. No update may be
 * lost: the counter ends at exactly 200.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { startCluster, type TestCluster } from "./harness/cluster.ts";

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startCluster();
});
afterAll(async () => {
  await cluster?.close();
});

const CLIENTS = 10;
const INCREMENTS = 20;
const KEY = "example.com/counter";

it(
  `03.5 update > ${CLIENTS} clients x ${INCREMENTS} read-modify-write increments give exactly ${CLIENTS * INCREMENTS}`,
  { timeout: 240_000 },
  async () => {
    const url = `${cluster.url}/api/v1/namespaces/default/pods/counter`;
    const created = await fetch(`${cluster.url}/api/v1/namespaces/default/pods`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "counter", annotations: { [KEY]: "0" } },
        spec: { containers: [{ name: "c", image: "busybox" }] },
      }),
    });
    expect(created.status).toBe(201);

    let conflicts = 0;
    async function client(): Promise<void> {
      let streak = 0;
      for (let done = 0; done < INCREMENTS;) {
        const pod = (await (await fetch(url)).json()) as { metadata: { annotations: Record<string, string> } };
        pod.metadata.annotations[KEY] = String(Number(pod.metadata.annotations[KEY]) + 1);
        const res = await fetch(url, {
          method: "PUT",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify(pod),
        });
        await res.arrayBuffer();
        if (res.status === 200) {
          done++;
          streak = 0;
        } else if (res.status === 409) {
          conflicts++;
          // Back off with jitter, longer after repeated losses (as client-go's retry
          // helpers do), so that fewer clients collide on the next round.
          streak++;
          await new Promise((r) => setTimeout(r, Math.random() * 50 * Math.min(streak, 3)));
        } else {
          throw new Error(`unexpected HTTP ${res.status}`);
        }
      }
    }
    await Promise.all(Array.from({ length: CLIENTS }, client));
    const final = (await (await fetch(url)).json()) as { metadata: { annotations: Record<string, string> } };
    expect(final.metadata.annotations[KEY]).toBe(String(CLIENTS * INCREMENTS));
    console.log(`${CLIENTS * INCREMENTS} increments, ${conflicts} conflicts`);
    // With many writers on one object, conflicts must have happened: the test exercised the 409 path.
    expect(conflicts).toBeGreaterThan(0);
  },
);
