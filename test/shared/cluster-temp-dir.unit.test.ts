/**
 * A cluster's node folder names the process that made it, so that the next
 * run removes the folders of processes that were killed before close().
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { makeClusterDir, sweepClusterDirs } from "../../shared/cluster/temp-dir.ts";

const root = mkdtempSync(join(tmpdir(), "k8s-workshop-temp-dir-test-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("shared cluster folders", () => {
  it("a cluster's folder is named after this process and its cluster id", async () => {
    const dir = await makeClusterDir("0a1b2c3d");
    try {
      expect(basename(dir)).toMatch(new RegExp(`^k8s-workshop-cluster-${process.pid}-0a1b2c3d-`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the sweep removes the folders of processes that are gone, and nothing else", () => {
    const dead = join(root, "k8s-workshop-cluster-4000001-0a1b2c3d-AbCdEf");
    const living = join(root, "k8s-workshop-cluster-4000002-0a1b2c3d-AbCdEf");
    const older = join(root, "k8s-workshop-cluster-0a1b2c3d-AbCdEf"); // no pid: whose it is, nobody knows
    const other = join(root, "k8s-workshop-etcd-cluster-4000001-AbCdEf");
    for (const dir of [dead, living, older, other]) {
      mkdirSync(join(dir, "nodes", "node-1", "pods"), { recursive: true });
      writeFileSync(join(dir, "nodes", "node-1", "pods", "x"), "x");
    }
    const removed = sweepClusterDirs(root, (pid) => pid === 4000002);
    expect(removed).toEqual([dead]);
    expect([dead, living, older, other].map((d) => existsSync(d))).toEqual([false, true, true, true]);
  });
});
