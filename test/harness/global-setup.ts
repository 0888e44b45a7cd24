/**
 * Runs once per `vitest run`, before any test file and after the last one.
 *
 * Setup: finds out whether a Docker engine answers and provisions the test
 * image (busybox), so every test file can simply use it. Under CI=true a
 * missing engine is an error: CI must run the Docker tests, not skip them.
 *
 * It also sweeps: containers and networks of this checkout whose creating
 * process is gone (a run killed with SIGKILL) are removed (workshop/sweeper.ts).
 *
 * Teardown: every container and network a test creates carries the label
 * `k8s-workshop.test-run=<run id>`. Teardown removes whatever a test left
 * behind, and fails the run if there was anything: a leak is a bug in that
 * test's own cleanup. It fails it through the exit code (leaks.ts says why).
 */
import { randomBytes } from "node:crypto";
import type { TestProject } from "vitest/node";
import { TEST_RUN_LABEL } from "./labels.ts";
import { leakReport } from "./leaks.ts";

/**
 * The Docker client and its helpers: a slow import (about a second). Under
 * the workshop CLI, which has just found the engine, swept and provided the
 * test image (it passes the image's name in WORKSHOP_TEST_IMAGE_READY), they
 * load while the tests run, and only the teardown waits for them.
 */
const loadDocker = () =>
  Promise.all([import("../../shared/docker.ts"), import("../../shared/test-image.ts"), import("../../workshop/sweeper.ts")]);

declare module "vitest" {
  export interface ProvidedContext {
    dockerAvailable: boolean;
    testImage: string;
    testRunId: string;
  }
}

export default async function setup(project: TestProject) {
  const runId = `${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;
  const loading = loadDocker();
  loading.catch(() => {}); // an import error is thrown where it is awaited
  const readyImage = process.env.WORKSHOP_TEST_IMAGE_READY;
  let available = true;
  let image = readyImage;
  if (!readyImage) {
    const [{ connectDocker, dockerAnswers }, { ensureTestImage, TEST_IMAGE }, { sweepDeadRuns, sweepLine }] = await loading;
    const docker = connectDocker();
    image = TEST_IMAGE;
    available = await dockerAnswers(docker);
    if (!available && process.env.CI === "true") {
      throw new Error("CI=true but no Docker engine answers: CI must run the Docker tests (see .ci/run).");
    }
    if (available) {
      // What runs killed earlier left behind (their process is gone): removed, in one line.
      // (Under the workshop CLI, which passes WORKSHOP_RUN_ID, the CLI has just swept.)
      const swept = process.env.WORKSHOP_RUN_ID ? undefined : sweepLine(await sweepDeadRuns(docker));
      if (swept) console.log(swept);
      // etcd clusters (chapter 16) of test runs that were killed.
      const { sweepEtcdClusters } = await import("../../shared/etcd-cluster.ts");
      if (!process.env.WORKSHOP_RUN_ID) sweepEtcdClusters();
      // Node folders of clusters whose test process was killed (shared/cluster/temp-dir.ts).
      const { sweepClusterDirs } = await import("../../shared/cluster/temp-dir.ts");
      if (!process.env.WORKSHOP_RUN_ID) sweepClusterDirs();
      await ensureTestImage(docker);
    }
  }
  project.provide("dockerAvailable", available);
  project.provide("testImage", image!);
  project.provide("testRunId", runId);

  return async function teardown() {
    if (!available) return;
    const { connectDocker, removeLabelled } = (await loading)[0];
    const docker = connectDocker();
    const removed = await removeLabelled(docker, TEST_RUN_LABEL, runId);
    const report = leakReport(removed);
    if (report) {
      console.error(report);
      process.exitCode = 1;
    }
  };
}
