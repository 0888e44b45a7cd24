/**
 * Chapter 06, volumes, on a real Docker engine (one node): emptyDir shared
 * by a pod's containers (read-only where asked), surviving a container
 * restart and gone with the pod; emptyDir in Memory as a size-limited tmpfs;
 * hostPath below the allowed prefix, and refused everywhere else at create
 * by the apiserver. What the kubelet's hostPath plugin refuses on its own
 * (the policy, symbolic links, the type) is in test/06-volumes.unit.test.ts.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, rmdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DockerRuntime } from "@tree/01-containers/docker-runtime.ts";
import { DEFAULT_HOST_PATH_PREFIX } from "@tree/06-volumes/index.ts";
import type { Pod, Status } from "../shared/api/index.ts";
import { connectDocker } from "../shared/docker.ts";
import { NotImplementedError } from "../shared/todo.ts";
import { startCluster, type TestCluster } from "./harness/cluster.ts";
import { dockerTest } from "./harness/docker.ts";
import { podHelpers, testPod, type PodHelpers } from "./harness/pods.ts";
import { waitFor } from "./harness/wait.ts";

const d = dockerTest();
const docker = connectDocker();
const runtime = new DockerRuntime(docker);
let cluster: TestCluster;
let pods: PodHelpers;
const runId = randomBytes(4).toString("hex");
/** A folder of this test run below the allowed prefix. */
const hostDir = join(DEFAULT_HOST_PATH_PREFIX, `test-${runId}`);

const running = (p: Pod) =>
  p.status?.phase === "Running" && p.status.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;

/** Creates a pod with strict field validation (what kubectl asks for): unknown volume fields would be refused. */
async function create(pod: Pod): Promise<{ code: number; body: Pod & Status }> {
  const res = await fetch(`${cluster.url}/api/v1/namespaces/default/pods?fieldValidation=Strict`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(pod),
  });
  return { code: res.status, body: (await res.json()) as Pod & Status };
}

async function createOk(pod: Pod): Promise<Pod> {
  const { code, body } = await create(pod);
  expect(code, `create pod ${pod.metadata?.name}: ${JSON.stringify(body).slice(0, 400)}`).toBe(201);
  return body;
}

/** The running container `name` of a pod, as Docker shows it. */
async function containerOf(pod: Pod, name: string) {
  const c = (await pods.containers(pod)).find((x) => x.Labels["io.kubernetes.container.name"] === name && x.State === "running");
  if (!c) throw new Error(`no running container ${name} in pod ${pod.metadata?.name}`);
  return c;
}

async function exec(pod: Pod, container: string, script: string) {
  return runtime.exec((await containerOf(pod, container)).Id, ["sh", "-c", script]);
}

/** Where the kubelet keeps this pod's files on the host. */
function podDir(pod: Pod): string {
  return join(cluster.nodes[0]!.options.rootDir!, "pods", pod.metadata!.uid!);
}

/**
 * Sleeps until SIGTERM, then exits at once: a pod this test deletes stops
 * without sitting out its grace period (a plain `sleep` as PID 1 ignores SIGTERM).
 */
const SLEEP_UNTIL_TERM = "trap 'exit 0' TERM; sleep 3600 & wait";

/** Deletes a pod and waits until the object, its containers and its directory are gone. */
async function deleteAndWait(pod: Pod): Promise<void> {
  const name = pod.metadata!.name!;
  expect(await pods.delete(name)).toBe(200);
  await waitFor(`pod ${name}, its containers and its directory to be gone`, async () => {
    const error = cluster.nodes[0]?.lastError;
    if (error instanceof NotImplementedError) throw error;
    if ((await pods.get(name)) !== undefined) throw new Error("the pod object is still there");
    if ((await pods.containers(pod)).length > 0) throw new Error("some of its containers are still there");
    return !existsSync(podDir(pod));
  });
}

beforeAll(async () => {
  if (!d.available) return;
  cluster = await startCluster({
    chapter: "06",
    nodes: 1,
    kubelet: { heartbeatIntervalMs: 500, relistIntervalMs: 300, backOff: { initialMs: 300, maxMs: 1_200 } },
  });
  pods = podHelpers(cluster);
  await mkdir(hostDir, { recursive: true });
});
afterAll(async () => {
  await cluster?.close();
  await d.cleanup();
  await rm(hostDir, { recursive: true, force: true });
  // The shared prefix folder goes too, unless another run still uses it.
  await rmdir(DEFAULT_HOST_PATH_PREFIX).catch(() => {});
});

let shared: Pod;
/** Where the writer's /out comes from on the host. */
let sharedSource: string;

it.skipIf(!d.available)("06.1 emptyDir > a sidecar reads what another container writes to their shared emptyDir", async () => {
  await createOk(
    testPod(
      "shared",
      [
        {
          name: "writer",
          command: ["sh", "-c", `echo written-by-writer > /out/message; ${SLEEP_UNTIL_TERM}`],
          volumeMounts: [{ name: "scratch", mountPath: "/out" }],
        },
        {
          name: "reader",
          command: ["sh", "-c", SLEEP_UNTIL_TERM],
          volumeMounts: [{ name: "scratch", mountPath: "/in", readOnly: true }],
        },
      ],
      { volumes: [{ name: "scratch", emptyDir: {} }], terminationGracePeriodSeconds: 1 },
    ),
  );
  shared = await pods.waitFor("shared", running, "pod shared to run");
  const read = await waitFor("the reader to see the writer's file", async () => {
    const r = await exec(shared, "reader", "cat /in/message");
    return r.exitCode === 0 ? r.stdout : undefined;
  });
  expect(read.trim()).toBe("written-by-writer");

  // On the host: a folder of the pod's own, bind-mounted into both containers.
  const expected = join(podDir(shared), "volumes", "kubernetes.io~empty-dir", "scratch");
  const writer = await containerOf(shared, "writer");
  sharedSource = writer.Mounts.find((m) => m.Destination === "/out")?.Source ?? "";
  expect(sharedSource).toBe(expected);
  expect((await readFile(join(expected, "message"), "utf8")).trim()).toBe("written-by-writer");
  const reader = await containerOf(shared, "reader");
  expect(reader.Mounts.find((m) => m.Destination === "/in")?.Source).toBe(expected);
});

it.skipIf(!d.available)(
  "06.1 emptyDir > a readOnly mount refuses writes in that container while the other container writes",
  async () => {
    const refused = await exec(shared, "reader", "echo nope > /in/other");
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toMatch(/read-only file system/i);
    const appended = await exec(shared, "writer", "echo appended >> /out/message");
    expect(appended.exitCode).toBe(0);
    const read = await exec(shared, "reader", "cat /in/message");
    expect(read.stdout.trim().split("\n")).toEqual(["written-by-writer", "appended"]);
    expect(existsSync(join(sharedSource, "other"))).toBe(false);
  },
);

it.skipIf(!d.available)(
  "06.1 emptyDir > keeps its data across a container restart, while the container's own filesystem starts over",
  async () => {
    // The first run writes, then crashes; the restarted container finds the
    // first run's line in the emptyDir and stays up.
    const script = [
      "echo run >> /cache/runs",
      "echo run >> /tmp/runs",
      "n=$(cat /cache/runs | wc -l)",
      "if [ $n -lt 2 ]; then exit 1; fi",
      "exec sleep 3600",
    ].join("; ");
    await createOk(
      testPod(
        "restarter",
        [{ name: "counter", command: ["sh", "-c", script], volumeMounts: [{ name: "cache", mountPath: "/cache" }] }],
        {
          volumes: [{ name: "cache", emptyDir: {} }],
          restartPolicy: "Always",
          terminationGracePeriodSeconds: 1,
        },
      ),
    );
    const pod = await pods.waitFor(
      "restarter",
      (p) => running(p) && (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1,
      "restarter to run again after its first crash",
    );
    const restarts = pod.status!.containerStatuses![0]!.restartCount;
    const cache = await exec(pod, "counter", "cat /cache/runs");
    expect(cache.stdout.trim().split("\n")).toHaveLength(restarts + 1);
    const own = await exec(pod, "counter", "cat /tmp/runs");
    expect(own.stdout.trim().split("\n")).toEqual(["run"]);
  },
);

it.skipIf(!d.available)("06.2 emptyDir > medium Memory is a tmpfs of sizeLimit bytes", async () => {
  await createOk(
    testPod("in-memory", [{ name: "main", command: ["sleep", "3600"], volumeMounts: [{ name: "fast", mountPath: "/mem" }] }], {
      volumes: [{ name: "fast", emptyDir: { medium: "Memory", sizeLimit: "8Mi" } }],
      terminationGracePeriodSeconds: 1,
    }),
  );
  const pod = await pods.waitFor("in-memory", running, "pod in-memory to run");
  const mounts = await exec(pod, "main", "cat /proc/mounts");
  const line = mounts.stdout.split("\n").find((l) => l.split(" ")[1] === "/mem");
  expect(line, mounts.stdout).toBeDefined();
  const [, , fsType, options] = line!.split(" ");
  expect(fsType).toBe("tmpfs");
  expect(options!.split(",")).toContain("size=8192k");
  // The limit holds: 16 MiB do not fit.
  const big = await exec(pod, "main", "dd if=/dev/zero of=/mem/big bs=1M count=16");
  expect(big.exitCode).not.toBe(0);
  expect(big.stderr).toMatch(/no space left on device/i);
});

it.skipIf(!d.available)("06.1 emptyDir > is gone with its pod: no container and no emptyDir folder are left", async () => {
  expect(existsSync(sharedSource)).toBe(true);
  await deleteAndWait(shared);
  expect(existsSync(sharedSource)).toBe(false);
});

// A pod with a hostPath volume passes the apiserver's admission plugin (06.5)
// before its kubelet mounts anything (06.4): so the tests that run such a pod
// are 06.5's. Step 06.4's own tests call the plugin's setUp() directly.
it.skipIf(!d.available)(
  "06.5 hostPath > mounts a folder below the allowed prefix: the pod sees the host's file, the host sees the pod's, and both outlive the pod",
  async () => {
    await writeFile(join(hostDir, "hello.txt"), "from the host\n");
    await createOk(
      testPod(
        "host-reader",
        [
          {
            name: "main",
            command: ["sh", "-c", `echo from-the-pod > /host/from-pod; ${SLEEP_UNTIL_TERM}`],
            volumeMounts: [
              { name: "host", mountPath: "/host" },
              { name: "made", mountPath: "/made" },
            ],
          },
        ],
        {
          volumes: [
            { name: "host", hostPath: { path: hostDir, type: "Directory" } },
            { name: "made", hostPath: { path: join(hostDir, "made"), type: "DirectoryOrCreate" } },
          ],
          terminationGracePeriodSeconds: 1,
        },
      ),
    );
    const pod = await pods.waitFor("host-reader", running, "pod host-reader to run");
    const read = await exec(pod, "main", "cat /host/hello.txt");
    expect(read.stdout.trim()).toBe("from the host");
    await waitFor("the pod's file on the host", () => existsSync(join(hostDir, "from-pod")));
    expect((await readFile(join(hostDir, "from-pod"), "utf8")).trim()).toBe("from-the-pod");
    expect(existsSync(join(hostDir, "made"))).toBe(true); // DirectoryOrCreate made it

    await deleteAndWait(pod);
    // A hostPath lives as long as the node, not the pod.
    expect((await readFile(join(hostDir, "from-pod"), "utf8")).trim()).toBe("from-the-pod");
  },
);

it.skipIf(!d.available)(
  "06.5 hostPath > a hostPath of the wrong type keeps the pod in ContainerCreating, with the reason",
  async () => {
    await writeFile(join(hostDir, "a-file"), "");
    await createOk(
      testPod("wrong-type", [{ name: "main", command: ["sleep", "3600"], volumeMounts: [{ name: "dir", mountPath: "/dir" }] }], {
        volumes: [{ name: "dir", hostPath: { path: join(hostDir, "a-file"), type: "Directory" } }],
        terminationGracePeriodSeconds: 1,
      }),
    );
    const pod = await pods.waitFor(
      "wrong-type",
      (p) => /is not a directory/.test(p.status?.containerStatuses?.[0]?.state?.waiting?.message ?? ""),
      "wrong-type to wait with the reason",
    );
    expect(pod.status?.containerStatuses?.[0]?.state?.waiting?.reason).toBe("ContainerCreating");
    expect((await pods.containers(pod)).map((c) => c.Labels["io.kubernetes.container.name"])).toEqual(["POD"]);
  },
);

describe.skipIf(!d.available)("06.5 the apiserver", () => {
  it("refuses at create a volumeMount of no volume (422 Invalid) and a hostPath outside the allowed prefixes (403 Forbidden)", async () => {
    const missing = await create(
      testPod("no-such-volume", [{ name: "main", volumeMounts: [{ name: "ghost", mountPath: "/ghost" }] }]),
    );
    expect(missing.code).toBe(422);
    expect(missing.body.reason).toBe("Invalid");
    expect(missing.body.details?.causes?.map((c) => c.field)).toContain("spec.containers[0].volumeMounts[0].name");

    // A subPath that climbs out of its volume would reach the host's files.
    for (const subPath of ["../../../../etc", "/etc"]) {
      const climbing = await create(
        testPod("climbing-subpath", [{ name: "main", volumeMounts: [{ name: "scratch", mountPath: "/x", subPath }] }], {
          volumes: [{ name: "scratch", emptyDir: {} }],
        }),
      );
      expect(climbing.code, subPath).toBe(422);
      expect(climbing.body.details?.causes?.map((c) => c.field)).toContain("spec.containers[0].volumeMounts[0].subPath");
    }

    const attempts: Array<{ name: string; path: string; type?: string }> = [
      { name: "root", path: "/" },
      { name: "docker-socket", path: "/var/run/docker.sock", type: "Socket" },
      { name: "next-door", path: `${DEFAULT_HOST_PATH_PREFIX}-evil` },
      { name: "climb", path: `${DEFAULT_HOST_PATH_PREFIX}/../../etc` },
    ];
    for (const { name, path, type } of attempts) {
      const { code, body } = await create(
        testPod(`host-${name}`, [{ name: "main", volumeMounts: [{ name, mountPath: "/host" }] }], {
          volumes: [{ name, hostPath: { path, type } }],
        }),
      );
      expect(code, `${path}: ${JSON.stringify(body)}`).toBe(403);
      expect(body.kind).toBe("Status");
      expect(body.reason).toBe("Forbidden");
      expect(body.message).toContain(`pods "host-${name}" is forbidden`);
      expect(body.message).toContain(`volume "${name}"`);
      expect(body.message).toContain(`"${path}"`);
      expect(await pods.get(`host-${name}`)).toBeUndefined();
    }
    // The message says what is allowed instead.
    const { body } = await create(
      testPod("host-root", [{ name: "main" }], { volumes: [{ name: "root", hostPath: { path: "/" } }] }),
    );
    expect(body.message).toContain(DEFAULT_HOST_PATH_PREFIX);
  });
});
