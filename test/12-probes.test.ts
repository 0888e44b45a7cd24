/**
 * Chapter 12 on a real Docker engine: liveness and readiness probes.
 *
 * - exec liveness: the test deletes the file the probe checks; the kubelet
 *   kills the container and starts a new one (restartCount grows, lastState
 *   shows the killed one, events say why); twice, so the count really grows.
 * - httpGet readiness: the pod runs but is not Ready until the page the
 *   probe asks for exists; it leaves Ready again when the page goes, and
 *   readiness never restarts anything. With chapter 10 in the tree, the
 *   pod's IP also moves between the Service's notReadyAddresses and addresses.
 * - tcpSocket readiness on a named port: Ready once something listens.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Container, Event, List, Pod } from "../shared/api/index.ts";
import { startClusterFromTree, type Cluster } from "../shared/cluster/index.ts";
import { connectDocker } from "../shared/docker.ts";
import { dockerTest } from "./harness/docker.ts";
import { http } from "./harness/http.ts";
import { podHelpers, testPod, type PodHelpers } from "./harness/pods.ts";
import { waitFor } from "./harness/wait.ts";

const TREE = resolve(process.env.WORKSHOP_TREE ?? "solutions");
/** With chapter 10 in the tree, readiness also decides the Service's endpoints. */
const HAS_SERVICES = existsSync(join(TREE, "10-services", "index.ts"));

const d = dockerTest();
const docker = connectDocker();
let cluster: Cluster;
let pods: PodHelpers;
let api: ReturnType<typeof http>;
let auth: Record<string, string>;

const isReady = (p: Pod) => p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;
const statusOf = (p: Pod, name: string) => p.status?.containerStatuses?.find((s) => s.name === name);

/** Runs a shell command in the pod's running app container. */
async function sh(pod: Pod, container: string, command: string): Promise<void> {
  const found = (await pods.containers(pod)).find(
    (c) => c.State === "running" && c.Labels["io.kubernetes.container.name"] === container,
  );
  if (!found) throw new Error(`no running container ${container} in pod ${pod.metadata?.name}`);
  const exec = await docker.getContainer(found.Id).exec({ Cmd: ["sh", "-c", command], AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  await new Promise((r) => {
    stream.on("end", r);
    stream.resume();
  });
}

async function eventsOf(name: string): Promise<Event[]> {
  const list = await api<List<Event>>("GET", "/api/v1/namespaces/default/events", undefined, auth);
  return list.body.items.filter((e) => e.involvedObject?.name === name);
}

/** A server that exits at once on SIGTERM (the kubelet's kill is quick). */
const serve = (setup: string, server: string) => `${setup}; trap 'exit 0' TERM; ${server} & wait`;

function probePod(name: string, container: Partial<Container>): Pod {
  const pod = testPod(name, [{ name: "app", ...container }], { terminationGracePeriodSeconds: 2 });
  pod.metadata!.labels = { probe: name };
  return pod;
}

interface Subset {
  addresses?: { ip: string }[];
  notReadyAddresses?: { ip: string }[];
}

/** The pod IPs in the Endpoints of a Service: ready and not ready. */
async function endpointIPs(name: string): Promise<{ ready: string[]; notReady: string[] }> {
  const res = await api<{ subsets?: Subset[] }>("GET", `/api/v1/namespaces/default/endpoints/${name}`, undefined, auth);
  const subsets = res.status === 200 ? (res.body.subsets ?? []) : [];
  return {
    ready: subsets.flatMap((s) => (s.addresses ?? []).map((a) => a.ip)),
    notReady: subsets.flatMap((s) => (s.notReadyAddresses ?? []).map((a) => a.ip)),
  };
}

beforeAll(async () => {
  cluster = await startClusterFromTree({
    tree: TREE,
    upTo: "12",
    nodes: 2,
    labels: d.labels(),
    kubelet: { heartbeatIntervalMs: 500, relistIntervalMs: 300, backOff: { initialMs: 300, maxMs: 1_200 } },
    log: process.env.WORKSHOP_DEBUG ? (line) => console.log(line) : undefined,
  });
  pods = podHelpers(cluster);
  api = http(cluster.url);
  auth = { authorization: `Bearer ${cluster.adminToken}` };
});
afterAll(async () => {
  await cluster?.close();
  await d.cleanup();
});

it.skipIf(!d.available)(
  // 12.4: the kubelet asks isReady() for every status it writes. 12.3 alone: test/12-probe-manager.unit.test.ts.
  "12.4 probes on Docker > restarts a container whose exec liveness probe fails, and the restart count grows",
  async () => {
    await pods.create(
      probePod("alive", {
        command: ["sh", "-c", serve("touch /tmp/healthy", "sleep 3600")],
        livenessProbe: { exec: { command: ["cat", "/tmp/healthy"] }, periodSeconds: 1, failureThreshold: 2 },
      }),
    );
    let pod = await pods.waitFor("alive", (p) => statusOf(p, "app")?.state?.running !== undefined, "alive to run");
    expect(statusOf(pod, "app")?.restartCount).toBe(0);

    for (const round of [1, 2]) {
      await sh(pod, "app", "rm /tmp/healthy");
      pod = await pods.waitFor(
        "alive",
        (p) => statusOf(p, "app")?.restartCount === round && statusOf(p, "app")?.state?.running !== undefined,
        `the container to be restarted (restart ${round}) and run again`,
      );
      const status = statusOf(pod, "app")!;
      // The killed instance is the last state; it ended on the kubelet's signal.
      expect(status.lastState?.terminated, JSON.stringify(status)).toBeDefined();
      expect([0, 137, 143]).toContain(status.lastState?.terminated?.exitCode);
      // The new instance made the file again: it stays up (no restart loop).
      expect(status.ready).toBe(true);
    }
    const events = await waitFor("Unhealthy and Killing events for alive", async () => {
      const e = await eventsOf("alive");
      return e.some((x) => x.reason === "Killing") && e.some((x) => x.reason === "Unhealthy") ? e : undefined;
    });
    expect(events.find((e) => e.reason === "Unhealthy")?.message).toMatch(/^Liveness probe failed: /);
    expect(events.find((e) => e.reason === "Killing")?.message).toBe("Container app failed liveness probe, will be restarted");
  },
);

it.skipIf(!d.available)(
  `12.4 probes on Docker > keeps a pod out of Ready${HAS_SERVICES ? " (and out of its Service's ready endpoints)" : ""} while its httpGet readiness probe fails, without restarting it`,
  async () => {
    if (HAS_SERVICES) {
      const svc = {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "ready" },
        spec: { selector: { probe: "ready" }, ports: [{ port: 80, targetPort: 8080 }] },
      };
      expect((await api("POST", "/api/v1/namespaces/default/services", svc, auth)).status).toBe(201);
    }
    await pods.create(
      probePod("ready", {
        command: ["sh", "-c", serve("mkdir -p /www", "httpd -f -p 8080 -h /www")],
        ports: [{ containerPort: 8080 }],
        readinessProbe: {
          httpGet: { path: "/ready.txt", port: 8080 },
          periodSeconds: 1,
          failureThreshold: 1,
          successThreshold: 1,
        },
      }),
    );
    // Running, with an IP, and the probe answered 404 several times: still not Ready.
    let pod = await pods.waitFor("ready", (p) => p.status?.phase === "Running" && !!p.status.podIP, "ready to run");
    const events = await waitFor("a failed readiness check", async () =>
      (await eventsOf("ready")).find((e) => e.reason === "Unhealthy"),
    );
    expect(events.message).toBe("Readiness probe failed: HTTP probe failed with statuscode: 404");
    pod = (await pods.get("ready"))!;
    expect(isReady(pod)).toBe(false);
    expect(statusOf(pod, "app")?.ready).toBe(false);
    expect(pod.status?.conditions?.find((c) => c.type === "Ready")?.reason).toBe("ContainersNotReady");
    const ip = pod.status!.podIP!;
    if (HAS_SERVICES) {
      await waitFor("the pod among the Service's not-ready addresses", async () =>
        (await endpointIPs("ready")).notReady.includes(ip),
      );
      expect((await endpointIPs("ready")).ready).toEqual([]);
    }

    await sh(pod, "app", "echo ok > /www/ready.txt");
    pod = await pods.waitFor("ready", isReady, "ready to become Ready once the page exists");
    expect(statusOf(pod, "app")?.ready).toBe(true);
    if (HAS_SERVICES)
      await waitFor("the pod among the Service's ready addresses", async () => (await endpointIPs("ready")).ready.includes(ip));

    await sh(pod, "app", "rm /www/ready.txt");
    pod = await pods.waitFor("ready", (p) => !isReady(p), "ready to leave Ready when the page is gone");
    if (HAS_SERVICES)
      await waitFor("the pod out of the Service's ready addresses", async () => !(await endpointIPs("ready")).ready.includes(ip));
    // Readiness never restarts a container.
    expect(statusOf(pod, "app")?.restartCount).toBe(0);
    expect(statusOf(pod, "app")?.state?.running).toBeDefined();
  },
);

it.skipIf(!d.available)(
  "12.4 probes on Docker > makes a pod Ready once its tcpSocket probe (a named port) connects",
  async () => {
    await pods.create(
      probePod("tcp", {
        command: ["sh", "-c", serve("mkdir -p /www; while [ ! -f /tmp/go ]; do sleep 0.2; done", "httpd -f -p 7000 -h /www")],
        ports: [{ name: "service", containerPort: 7000 }],
        readinessProbe: { tcpSocket: { port: "service" }, periodSeconds: 1, failureThreshold: 1 },
      }),
    );
    let pod = await pods.waitFor("tcp", (p) => p.status?.phase === "Running" && !!p.status.podIP, "tcp to run");
    await waitFor("a failed tcp check", async () => (await eventsOf("tcp")).find((e) => e.reason === "Unhealthy"));
    expect(isReady((await pods.get("tcp"))!)).toBe(false);
    await sh(pod, "app", "touch /tmp/go");
    pod = await pods.waitFor("tcp", isReady, "tcp to become Ready once the port listens");
    expect(statusOf(pod, "app")?.restartCount).toBe(0);
  },
);
