/**
 * Chapter 06 without Docker: what the emptyDir plugin leaves on the node's
 * disk (the Docker tests run as root, which may write anywhere; these check
 * what a container running as another user would need), the hostPath policy,
 * and the hostPath plugin called directly, as the kubelet does: what it
 * refuses (outside the prefixes, through a symbolic link, the wrong type)
 * and what it creates.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, rmdir, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { VolumeError, type VolumeSource } from "@tree/05-pods/index.ts";
import { emptyDirPlugin } from "@tree/06-volumes/plugins/empty-dir.ts";
import { hostPathPlugin } from "@tree/06-volumes/plugins/host-path.ts";
import { DEFAULT_HOST_PATH_PREFIX, hostPathViolation } from "@tree/06-volumes/plugins/host-path-policy.ts";
import type { Pod, Volume } from "../shared/api/index.ts";

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

const runId = randomBytes(4).toString("hex");
/** A folder of this test run below the default allowed prefix. */
const hostDir = join(DEFAULT_HOST_PATH_PREFIX, `unit-${runId}`);
/** Folders outside the allowed prefix: nothing may be created there (removed anyway, should a bug create them). */
const outsideDir = join(tmpdir(), `k8s-workshop-outside-${runId}`);
const nextDoor = `${DEFAULT_HOST_PATH_PREFIX}-not-allowed-${runId}`;

beforeAll(async () => {
  await mkdir(hostDir, { recursive: true });
});
afterAll(async () => {
  for (const dir of [hostDir, outsideDir, nextDoor]) await rm(dir, { recursive: true, force: true });
  // The shared prefix folder goes too, unless another run still uses it.
  await rmdir(DEFAULT_HOST_PATH_PREFIX).catch(() => {});
});

/** The kubelet's view: the hostPath plugin of the default policy, called directly. */
function defaultSetUp(): (volume: Volume) => Promise<VolumeSource> {
  const plugin = hostPathPlugin();
  const pod: Pod = { metadata: { name: "direct", namespace: "default", uid: "uid-direct" }, spec: { containers: [] } };
  return (volume: Volume) => plugin.setUp(pod, volume, { dir: join(hostDir, "unused"), nodeName: "node-1" });
}

it("06.1 emptyDir > its folder is writable by any user, and a second setUp keeps what was written", async () => {
  const root = await mkdtemp(join(tmpdir(), "emptydir-"));
  dirs.push(root);
  const ctx = { dir: join(root, "pods", "uid-1", "volumes", "kubernetes.io~empty-dir", "cache"), nodeName: "node-1" };
  const pod: Pod = { metadata: { name: "web", namespace: "default", uid: "uid-1" }, spec: { containers: [] } };
  const volume = { name: "cache", emptyDir: {} };

  const source = await emptyDirPlugin.setUp(pod, volume, ctx);
  expect(source).toEqual({ type: "bind", hostPath: ctx.dir });
  const mode = (await stat(ctx.dir)).mode & 0o777;
  expect(
    mode.toString(8),
    `expected the emptyDir folder to have mode 777 (a container may run as any user), but it has ${mode.toString(8)}`,
  ).toBe("777");

  await writeFile(join(ctx.dir, "kept.txt"), "data");
  await emptyDirPlugin.setUp(pod, volume, ctx); // every sync calls setUp again
  expect(await readFile(join(ctx.dir, "kept.txt"), "utf8")).toBe("data");
});

it("06.3 hostPath policy > allows only absolute paths below a prefix: not a sibling with the same start, not one with ..", () => {
  const policy = { allowedPrefixes: ["/data"] };
  const verdict = (path: string) => hostPathViolation(path, policy);
  expect(verdict("/data"), "expected the prefix itself to be allowed").toBeUndefined();
  expect(verdict("/data/app/logs"), "expected a folder below the prefix to be allowed").toBeUndefined();
  const sibling = verdict("/data-evil");
  expect(
    sibling,
    'expected "/data-evil" to be refused under the prefix "/data" (it is a sibling folder, not below it), but it was allowed',
  ).toMatch(/"\/data-evil".*allowed prefixes/);
  const climbing = verdict("/data/app/../other");
  expect(climbing, 'expected "/data/app/../other" to be refused for its "..", but it was allowed').toMatch(/\.\./);
  expect(verdict("data/app"), "expected a relative path to be refused").toMatch(/absolute/);
});

it("06.4 hostPath > checks the type before it mounts: a file where a Directory is asked is refused with the reason; DirectoryOrCreate makes the folder", async () => {
  const root = await mkdtemp(join(tmpdir(), "hostpath-"));
  dirs.push(root);
  const plugin = hostPathPlugin({ allowedPrefixes: [root] });
  const pod: Pod = { metadata: { name: "agent", namespace: "default", uid: "uid-2" }, spec: { containers: [] } };
  const ctx = { dir: join(root, "unused"), nodeName: "node-1" };
  await writeFile(join(root, "a-file"), "");

  const wrongType = plugin.setUp(pod, { name: "dir", hostPath: { path: join(root, "a-file"), type: "Directory" } }, ctx);
  await expect(wrongType).rejects.toThrow(VolumeError);
  await expect(
    plugin.setUp(pod, { name: "dir", hostPath: { path: join(root, "a-file"), type: "Directory" } }, ctx),
    'expected a hostPath of type Directory that is a file to be refused with "is not a directory"',
  ).rejects.toThrow(/hostPath type check failed: .*a-file is not a directory/);

  const made = join(root, "made");
  expect(await plugin.setUp(pod, { name: "made", hostPath: { path: made, type: "DirectoryOrCreate" } }, ctx)).toEqual({
    type: "bind",
    hostPath: made,
  });
  expect((await stat(made)).isDirectory(), "expected DirectoryOrCreate to create the folder").toBe(true);
});

// The kubelet's plugin (06.4) applies the policy of 06.3 before anything else.
it("06.4 hostPath > the kubelet mounts nothing, and creates nothing, outside the allowed prefixes, not even through a symbolic link", async () => {
  const setUp = defaultSetUp();

  await expect(setUp({ name: "root", hostPath: { path: "/" } })).rejects.toThrow(VolumeError);
  await expect(setUp({ name: "root", hostPath: { path: "/" } })).rejects.toThrow(/"\/".*allowed prefixes/);
  await expect(setUp({ name: "next-door", hostPath: { path: nextDoor, type: "DirectoryOrCreate" } })).rejects.toThrow(
    VolumeError,
  );
  expect(existsSync(nextDoor)).toBe(false);
  await expect(setUp({ name: "up", hostPath: { path: `${hostDir}/../../../etc` } })).rejects.toThrow(VolumeError);
});

// The policy reads the path as written (06.3); following symbolic links on the node is 06.4 too.
it("06.4 hostPath > a symbolic link inside the allowed folder that leads outside it is refused; the folder itself is mounted", async () => {
  const setUp = defaultSetUp();

  // A link inside the allowed folder that leads outside it.
  await mkdir(outsideDir);
  await symlink(outsideDir, join(hostDir, "escape"));
  await expect(setUp({ name: "link", hostPath: { path: join(hostDir, "escape"), type: "Directory" } })).rejects.toThrow(
    /symbolic link/,
  );
  await expect(
    setUp({ name: "link", hostPath: { path: join(hostDir, "escape", "made"), type: "DirectoryOrCreate" } }),
  ).rejects.toThrow(VolumeError);
  expect(existsSync(join(outsideDir, "made"))).toBe(false);

  // And what is allowed is a bind mount of the path itself.
  expect(await setUp({ name: "ok", hostPath: { path: hostDir, type: "Directory" } })).toEqual({
    type: "bind",
    hostPath: hostDir,
  });
});
