/**
 * Chapter 05, the kubelet, on a real Docker engine: two nodes (kubelets) of
 * one cluster, pods bound by the naive binder, run as a pause container plus
 * app containers, restarted by policy, reported through the status
 * subresource, deleted gracefully, and their logs served to both kubectls.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DockerRuntime } from "@tree/01-containers/docker-runtime.ts";
import { run } from "@tree/04-kubectl/kubectl/main.ts";
import type { List, Node, Pod } from "../shared/api/index.ts";
import { connectDocker } from "../shared/docker.ts";
import { startCluster, type TestCluster } from "./harness/cluster.ts";
import { dockerTest } from "./harness/docker.ts";
import { kubectlAvailable, kubectlFor, runOurKubectl, type KubectlResult } from "./harness/kubectl.ts";
import { podHelpers, testPod, type PodHelpers } from "./harness/pods.ts";
import { asTest, waitFor } from "./harness/wait.ts";
import { CLUSTER_WAIT_MS, FAST_KUBELET } from "./harness/tuning.ts";

const d = dockerTest();
const docker = connectDocker();
const runtime = new DockerRuntime(docker);
let cluster: TestCluster;
let pods: PodHelpers;

const running = (p: Pod) =>
  p.status?.phase === "Running" && p.status.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;

async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(cluster.url + path);
  expect(res.status, `GET ${path}`).toBe(200);
  return (await res.json()) as T;
}

/** The id of the running app container `name` of a pod. */
async function containerId(pod: Pod, name: string): Promise<string> {
  const list = await pods.containers(pod);
  const c = list.find((x) => x.Labels["io.kubernetes.container.name"] === name && x.State === "running");
  if (!c) throw new Error(`no running container ${name} in pod ${pod.metadata?.name}`);
  return c.Id;
}

function ourKubectl(args: string[]): Promise<KubectlResult> {
  return runOurKubectl(run, cluster.url, args);
}

// Top-level hooks: when the cluster cannot start (a starter's todo()), vitest
// reports the error on the file and every test counts as failed.
beforeAll(async () => {
  if (!d.available) return;
  cluster = await startCluster({
    chapter: "05",
    nodes: 2,
    kubelet: FAST_KUBELET,
  });
  pods = podHelpers(cluster);
});
afterAll(async () => {
  await cluster?.close();
  await d.cleanup();
});

/**
 * The tests of the steps run at once (it.concurrent): each has its own pods
 * (own names), and most of a test is waiting for containers to start, stop
 * or restart. asTest gives each body its own name for waitFor
 * (test/harness/wait.ts).
 */
function test(name: string, body: () => Promise<void>): void {
  it.skipIf(!d.available).concurrent(name, asTest(body));
}

test("05.1 kubelet > registers each node with capacity, addresses and its kubelet port; the node is Ready and heartbeats", async () => {
  const nodes = await getJson<List<Node>>("/api/v1/nodes");
  expect(nodes.items.map((n) => n.metadata?.name).sort()).toEqual(["node-1", "node-2"]);
  for (const node of nodes.items) {
    const s = node.status!;
    expect(s.capacity).toMatchObject({ cpu: expect.anything(), memory: expect.anything(), pods: expect.anything() });
    expect(s.allocatable).toMatchObject({ cpu: expect.anything(), memory: expect.anything(), pods: expect.anything() });
    expect(s.addresses).toEqual(
      expect.arrayContaining([
        { type: "InternalIP", address: "127.0.0.1" },
        { type: "Hostname", address: node.metadata?.name },
      ]),
    );
    expect(s.daemonEndpoints?.kubeletEndpoint?.Port).toBeGreaterThan(0);
    expect(s.nodeInfo?.kubeletVersion).toBeTruthy();
    expect(s.conditions?.find((c) => c.type === "Ready")?.status).toBe("True");
  }
  const first = nodes.items[0]!.status!.conditions!.find((c) => c.type === "Ready")!.lastHeartbeatTime;
  await waitFor("a newer heartbeat of node-1", async () => {
    const node = await getJson<Node>("/api/v1/nodes/node-1");
    const beat = node.status?.conditions?.find((c) => c.type === "Ready")?.lastHeartbeatTime;
    return beat !== undefined && beat !== first && Date.parse(beat) >= Date.parse(first!);
  });
});

test("05.7 kubelet > runs a bound pod: pause + app containers on the cluster network, status Running with podIP and container statuses", async () => {
  const created = await pods.create(testPod("sleeper", [{ name: "main", command: ["sleep", "3600"] }]));
  expect(created.spec?.nodeName).toBeUndefined();
  const pod = await pods.waitFor("sleeper", running, "pod sleeper to be Running and Ready");
  expect(["node-1", "node-2"]).toContain(pod.spec?.nodeName);
  const s = pod.status!;
  expect(s.hostIP).toBe("127.0.0.1");
  expect(s.podIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  expect(s.podIPs).toEqual([{ ip: s.podIP }]);
  expect(s.startTime).toBeTruthy();
  expect(s.conditions?.map((c) => c.type).sort()).toEqual(["ContainersReady", "Initialized", "PodScheduled", "Ready"]);
  const [status] = s.containerStatuses!;
  expect(status).toMatchObject({ name: "main", ready: true, restartCount: 0, image: "busybox:latest" });
  expect(status!.state?.running?.startedAt).toBeTruthy();
  expect(status!.containerID).toMatch(/^docker:\/\/[0-9a-f]{64}$/);

  // On the engine: one pause container and one app container, labelled with the pod and the node.
  const containers = await pods.containers(pod);
  expect(containers.map((c) => c.Labels["io.kubernetes.container.name"]).sort()).toEqual(["POD", "main"]);
  for (const c of containers) {
    expect(c.State).toBe("running");
    expect(c.Labels["k8s-workshop.node"]).toBe(pod.spec?.nodeName);
    expect(c.Labels["io.kubernetes.pod.name"]).toBe("sleeper");
  }
  expect(`docker://${containers.find((c) => c.Labels["io.kubernetes.container.name"] === "main")!.Id}`).toBe(status!.containerID);
  // The pod's IP is the pause container's address on the cluster's own network.
  const pause = containers.find((c) => c.Labels["io.kubernetes.container.name"] === "POD")!;
  const network = await docker.getNetwork(cluster.network!).inspect();
  expect(network.Containers?.[pause.Id]?.IPv4Address).toBe(`${s.podIP}/${network.IPAM?.Config?.[0]?.Subnet?.split("/")[1]}`);
});

test("05.7 kubelet > two containers of one pod talk over localhost and share the hostname", async () => {
  await pods.create(
    testPod("duo", [
      {
        name: "web",
        command: ["sh", "-c", "echo hello from $(hostname) > /tmp/index.html && exec httpd -f -p 8080 -h /tmp"],
        ports: [{ containerPort: 8080 }],
      },
      { name: "client", command: ["sleep", "3600"] },
    ]),
  );
  const pod = await pods.waitFor("duo", running, "pod duo to run");
  const client = await containerId(pod, "client");
  const web = await containerId(pod, "web");
  const fetched = await waitFor("the client to fetch from localhost:8080", async () => {
    const r = await runtime.exec(client, ["wget", "-qO-", "http://localhost:8080/index.html"]);
    return r.exitCode === 0 ? r.stdout : undefined;
  });
  expect(fetched.trim()).toBe("hello from duo");
  const names = await Promise.all([client, web].map(async (id) => (await runtime.exec(id, ["hostname"])).stdout.trim()));
  expect(names).toEqual(["duo", "duo"]);
  // Both see one network: the same address. And the pod's IP serves from outside the pod too.
  const ips = await Promise.all(
    [client, web].map(async (id) => (await runtime.exec(id, ["ip", "-4", "-o", "addr", "show", "eth0"])).stdout),
  );
  expect(ips[0]).toContain(pod.status!.podIP);
  expect(ips[1]).toContain(pod.status!.podIP);
  const res = await fetch(`http://${pod.status!.podIP}:8080/index.html`);
  expect((await res.text()).trim()).toBe("hello from duo");
});

test("05.7 kubelet > passes env, command and args, and puts the memory limit into the cgroup", async () => {
  await pods.create(
    testPod("configured", [
      {
        name: "main",
        command: ["sh", "-c"],
        args: ['echo "greeting=$GREETING target=$TARGET"; sleep 3600'],
        env: [
          { name: "GREETING", value: "hello" },
          { name: "TARGET", value: "world of $(GREETING)" },
        ],
        resources: { limits: { memory: "64Mi" } },
      },
    ]),
  );
  const pod = await pods.waitFor("configured", running, "pod configured to run");
  const id = await containerId(pod, "main");
  const out = await waitFor(
    "the container's first line",
    async () => (await runtime.exec(id, ["cat", "/proc/1/cmdline"])).exitCode === 0 && (await logsOf(id)),
  );
  expect(out).toContain("greeting=hello target=world of hello");
  const env = await runtime.exec(id, ["env"]);
  expect(env.stdout).toMatch(/^GREETING=hello$/m);
  const cgroup = await runtime.exec(id, [
    "sh",
    "-c",
    "cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max",
  ]);
  expect(cgroup.stdout.trim()).toBe(String(64 * 1024 * 1024));
});

test("05.7 kubelet > shareProcessNamespace: the containers see each other's processes, and only with it", async () => {
  const both = [
    { name: "worker", command: ["sleep", "4242"] },
    { name: "viewer", command: ["sleep", "3600"] },
  ];
  await pods.create(testPod("shared-pids", both, { shareProcessNamespace: true }));
  await pods.create(testPod("own-pids", both));
  const shared = await pods.waitFor("shared-pids", running, "pod shared-pids to run");
  const own = await pods.waitFor("own-pids", running, "pod own-pids to run");
  const ps = async (pod: Pod) => (await runtime.exec(await containerId(pod, "viewer"), ["ps", "-o", "args"])).stdout;
  // With the flag, the viewer sees the worker's process (and the pause container's).
  expect(await ps(shared)).toContain("sleep 4242");
  // Without it, each container has its own PID namespace: the viewer sees only itself.
  expect(await ps(own)).not.toContain("sleep 4242");
});

test("05.7 kubelet > restarts a crashing container (restartPolicy Always), counts the restarts and backs off with CrashLoopBackOff", async () => {
  await pods.create(testPod("crasher", [{ name: "main", command: ["sh", "-c", "echo crashing; exit 1"] }]));
  const seen = new Set<string>();
  const pod = await pods.waitFor(
    "crasher",
    (p) => {
      const s = p.status?.containerStatuses?.[0];
      if (s?.state?.waiting?.reason) seen.add(s.state.waiting.reason);
      return (s?.restartCount ?? 0) >= 3 && seen.has("CrashLoopBackOff");
    },
    "crasher to restart 3 times and be seen in CrashLoopBackOff",
    // Three restarts with back-offs between them, beside the other tests' pods: the wide deadline of a loaded machine.
    CLUSTER_WAIT_MS,
  );
  const s = pod.status!.containerStatuses![0]!;
  expect(pod.status!.phase).toBe("Running");
  expect(s.lastState?.terminated).toMatchObject({ exitCode: 1, reason: "Error" });
  // The kubelet keeps the current and the previous instance, no more. It removes
  // older ones right after starting a new one, so a look can catch three for a moment.
  const instances = await waitFor("older instances of main to be removed (current + previous at most)", async () => {
    const mine = (await pods.containers(pod)).filter((c) => c.Labels["io.kubernetes.container.name"] === "main");
    return mine.length <= 2 && mine;
  });
  expect(instances.length).toBeGreaterThanOrEqual(1);
  // ... and the pod keeps its sandbox (and its IP) across the restarts.
  expect((await pods.containers(pod)).filter((c) => c.Labels["io.kubernetes.container.name"] === "POD")).toHaveLength(1);
});

/** A container that exits 0 at once on SIGTERM, so that a kill does not wait for the grace period. */
const politeMain = { name: "main", command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"] };
const isPause = (c: { Labels: Record<string, string> }) => c.Labels["io.kubernetes.container.name"] === "POD";
const idOf = (containerID: string | undefined) => (containerID ?? "").replace(/^docker:\/\//, "");

test("05.7 kubelet > a changed spec (a new image): the running container is killed and the new one started, in the same sandbox", async () => {
  await pods.create(testPod("changer", [politeMain]));
  const before = await pods.waitFor("changer", running, "pod changer to run");
  const oldApp = await containerId(before, "main");
  const sandbox = (await pods.containers(before)).find(isPause)!;
  // A container's image is the one field of it a pod update may change. "busybox" is the
  // image "busybox:latest" (nothing to pull), but the spec, and so its hash, changed.
  const res = await fetch(`${cluster.url}/api/v1/namespaces/default/pods/changer`, {
    method: "PATCH",
    headers: { "content-type": "application/json-patch+json" },
    body: JSON.stringify([{ op: "replace", path: "/spec/containers/0/image", value: "busybox" }]),
  });
  expect(res.status, "PATCH of the pod's image").toBe(200);
  const after = await pods.waitFor(
    "changer",
    (p) => running(p) && idOf(p.status?.containerStatuses?.[0]?.containerID) !== oldApp,
    "changer's container main to be replaced after its image changed",
  );
  const s = after.status!.containerStatuses![0]!;
  const newApp = idOf(s.containerID);
  expect((await docker.getContainer(newApp).inspect()).Config.Image, "the new instance runs the new spec").toBe("busybox");
  expect((await docker.getContainer(oldApp).inspect()).State.Running, "the old instance was stopped").toBe(false);
  // A replacement is a restart: counted, and the old instance is the lastState.
  expect(s.restartCount).toBe(1);
  expect(s.lastState?.terminated?.containerID).toBe(`docker://${oldApp}`);
  // Only the container changed: the pod keeps its sandbox, so its IP.
  const pauses = (await pods.containers(after)).filter(isPause);
  expect(pauses.map((c) => [c.Id, c.State])).toEqual([[sandbox.Id, "running"]]);
  expect(after.status!.podIP).toBe(before.status!.podIP);
});

test("05.7 kubelet > the pause container died: a new sandbox (attempt 1), the app container started again in its namespaces, restartCount counts on", async () => {
  await pods.create(testPod("rebuilt", [politeMain]));
  const before = await pods.waitFor("rebuilt", running, "pod rebuilt to run");
  const oldApp = await containerId(before, "main");
  const oldPause = (await pods.containers(before)).find(isPause)!.Id;
  await docker.getContainer(oldPause).kill();
  const after = await pods.waitFor(
    "rebuilt",
    (p) => running(p) && idOf(p.status?.containerStatuses?.[0]?.containerID) !== oldApp,
    "rebuilt to run again, with a new instance of main, after its pause container was killed",
  );
  const pauses = (await pods.containers(after)).filter((c) => isPause(c) && c.State === "running");
  expect(pauses, "one running pause container").toHaveLength(1);
  const pause = pauses[0]!;
  expect(pause.Id).not.toBe(oldPause);
  expect(pause.Labels["io.kubernetes.container.restartCount"], "the new sandbox's attempt").toBe("1");
  // The new instance lives in the new sandbox's namespaces, and has the pod's IP there.
  const s = after.status!.containerStatuses![0]!;
  const newApp = idOf(s.containerID);
  expect((await docker.getContainer(newApp).inspect()).HostConfig.NetworkMode).toBe(`container:${pause.Id}`);
  const addr = await runtime.exec(newApp, ["ip", "-4", "-o", "addr", "show", "eth0"]);
  expect(addr.stdout).toContain(after.status!.podIP);
  // The old instance does not run on in the dead sandbox. As in Kubernetes, it was
  // stopped, not removed: the count goes on from it, and it is the lastState.
  expect((await docker.getContainer(oldApp).inspect()).State.Running).toBe(false);
  expect(s.restartCount).toBe(1);
  expect(s.lastState?.terminated?.containerID).toBe(`docker://${oldApp}`);
});

test("05.7 kubelet > restartPolicy Never: the pod ends Succeeded or Failed, with exit codes and no restart", async () => {
  await pods.create(testPod("ok-once", [{ name: "main", command: ["sh", "-c", "exit 0"] }], { restartPolicy: "Never" }));
  await pods.create(testPod("fail-once", [{ name: "main", command: ["sh", "-c", "exit 3"] }], { restartPolicy: "Never" }));
  const ok = await pods.waitFor("ok-once", (p) => p.status?.phase === "Succeeded", "ok-once to succeed");
  const failed = await pods.waitFor("fail-once", (p) => p.status?.phase === "Failed", "fail-once to fail");
  expect(ok.status!.containerStatuses![0]).toMatchObject({
    restartCount: 0,
    state: { terminated: { exitCode: 0, reason: "Completed" } },
  });
  expect(failed.status!.containerStatuses![0]).toMatchObject({
    restartCount: 0,
    state: { terminated: { exitCode: 3, reason: "Error" } },
  });
  expect(failed.status!.conditions?.find((c) => c.type === "Ready")?.status).toBe("False");
  // A finished pod's pause container is stopped too; its app container stays for the logs.
  await waitFor("fail-once's containers to have stopped", async () =>
    (await pods.containers(failed)).every((c) => c.State === "exited"),
  );
  expect((await pods.containers(failed)).filter((c) => c.Labels["io.kubernetes.container.name"] === "main")).toHaveLength(1);
});

test("05.8 kubelet > serves logs through the apiserver to our kubectl and to the real kubectl", async () => {
  await pods.create(
    testPod("talker", [
      { name: "first", command: ["sh", "-c", "for i in 1 2 3; do echo line $i; done; echo to-stderr >&2; sleep 3600"] },
      { name: "second", command: ["sh", "-c", "echo from second; sleep 3600"] },
    ]),
  );
  await pods.waitFor("talker", running, "talker to run");
  const ours = await waitFor("our kubectl logs talker first", async () => {
    const r = await ourKubectl(["logs", "talker", "first"]);
    return r.code === 0 && r.stdout.includes("to-stderr") ? r : undefined;
  });
  // stdout and stderr both arrive (Docker keeps each stream's order, not their interleaving).
  expect(ours.stdout.split("\n").filter((l) => l.startsWith("line"))).toEqual(["line 1", "line 2", "line 3"]);
  expect(ours.stdout.split("\n").sort()).toEqual(["", "line 1", "line 2", "line 3", "to-stderr"]);
  const missing = await ourKubectl(["logs", "talker"]);
  expect(missing.code).toBe(1);
  expect(missing.stderr.trim()).toMatch(/a container name must be specified for pod talker, choose one of: \[first second\]/);
  const unknown = await fetch(`${cluster.url}/api/v1/namespaces/default/pods/talker/log?container=third`);
  expect(unknown.status).toBe(400);
  expect(await unknown.json()).toMatchObject({
    kind: "Status",
    reason: "BadRequest",
    message: "container third is not valid for pod talker",
  });
  const tail = await fetch(`${cluster.url}/api/v1/namespaces/default/pods/talker/log?container=second&tailLines=1`);
  expect(await tail.text()).toBe("from second\n");

  if (!kubectlAvailable() && process.env.CI !== "true") return;
  const kubectl = await kubectlFor(cluster.url);
  try {
    expect(await kubectl.ok(["logs", "talker", "-c", "second"])).toBe("from second\n");
    expect(await kubectl.ok(["logs", "talker", "-c", "first", "--tail=1"])).toMatch(/^(line 3|to-stderr)\n$/);
    // The real kubectl picks the first container itself when none is named, and says so.
    const r = await kubectl.run(["logs", "talker"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/Defaulted container "first"/);
    expect(r.stdout).toContain("line 1");
  } finally {
    await kubectl.cleanup();
  }
});

test("05.7 kubelet > deletes a pod gracefully: containers stopped and removed, then the pod object is gone", async () => {
  await pods.create(
    testPod("doomed", [{ name: "main", command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"] }]),
  );
  const pod = await pods.waitFor("doomed", running, "doomed to run");
  expect(await pods.containers(pod)).toHaveLength(2);
  expect(await pods.delete("doomed")).toBe(200);
  // First the apiserver only marks it; the kubelet stops the containers and then removes the pod.
  await waitFor("the pod object to be gone", async () => (await pods.get("doomed")) === undefined);
  expect(await pods.containers(pod)).toEqual([]);
});

// Last and alone: the naive binder places pods round robin, so pods of other
// tests created in between could put all four of these on one node.
it.skipIf(!d.available)("05 chapter > kubelet > places pods on both nodes", async () => {
  for (let i = 0; i < 4; i++) await pods.create(testPod(`spread-${i}`, [{ name: "main", command: ["sleep", "3600"] }]));
  const nodes = new Set<string>();
  for (let i = 0; i < 4; i++) {
    const p = await pods.waitFor(`spread-${i}`, running, `spread-${i} to run`);
    nodes.add(p.spec!.nodeName!);
    const containers = await pods.containers(p);
    expect(containers.every((c) => c.Labels["k8s-workshop.node"] === p.spec!.nodeName)).toBe(true);
  }
  expect([...nodes].sort()).toEqual(["node-1", "node-2"]);
});

async function logsOf(id: string): Promise<string | undefined> {
  const entries = await runtime.logs(id);
  const text = entries.map((e) => e.text).join("");
  return text.trim() === "" ? undefined : text;
}
