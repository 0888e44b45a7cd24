/**
 * Chapter 06 without Docker: what the emptyDir plugin leaves on the node's
 * disk (the Docker tests run as root, which may write anywhere; these check
 * what a container running as another user would need), the hostPath policy,
 * and the hostPath plugin's type checks, called directly as the kubelet does.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { VolumeError } from "@tree/05-pods/index.ts";
import { emptyDirPlugin } from "@tree/06-volumes/plugins/empty-dir.ts";
import { hostPathPlugin } from "@tree/06-volumes/plugins/host-path.ts";
import { hostPathViolation } from "@tree/06-volumes/plugins/host-path-policy.ts";
import type { Pod } from "../shared/api/index.ts";

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

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
