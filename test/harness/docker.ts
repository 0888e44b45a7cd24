/**
 * Helpers for tests that need the real Docker engine.
 *
 *   const d = dockerTest();                  // once per file
 *   describe.skipIf(!d.available)("...", () => {
 *     afterAll(() => d.cleanup());            // removes this file's containers
 *     it("...", async () => {
 *       await runtime.create({ ..., labels: d.labels() });
 *     });
 *   });
 *
 * Outside CI, a machine without Docker skips these tests with a message; under
 * CI=true the global setup has already failed the run instead.
 */
import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import { connectDocker, removeLabelled, runLabels } from "../../shared/docker.ts";
import { TEST_RUN_LABEL } from "./labels.ts";

const FILE_LABEL = "k8s-workshop.test-file";

export interface DockerTestContext {
  available: boolean;
  image: string;
  runId: string;
  /** Labels to put on every container this file creates (plus any extra ones). */
  labels(extra?: Record<string, string>): Record<string, string>;
  /** A container name unique to this test run: `<prefix>-<random>`. */
  name(prefix: string): string;
  /** Removes every container (and network) this file created. Call it in afterAll (and afterEach if you like). */
  cleanup(): Promise<void>;
}

export function dockerTest(): DockerTestContext {
  const available = inject("dockerAvailable");
  const runId = inject("testRunId");
  if (available === undefined) {
    // A unit-only run (WORKSHOP_UNIT_ONLY=1) has no Docker global setup: fail rather than skip in silence.
    throw new Error(
      "this test file uses Docker, so its name must not end in .unit.test.ts (unit-only runs skip the Docker setup)",
    );
  }
  const fileId = randomBytes(4).toString("hex");
  if (!available) {
    console.warn("No Docker engine answers: skipping this file's Docker tests (start dockerd to run them).");
  }
  const own = () => ({ ...runLabels(), [TEST_RUN_LABEL]: runId, [FILE_LABEL]: fileId });
  return {
    available,
    image: inject("testImage"),
    runId,
    labels: (extra = {}) => ({ ...extra, ...own() }),
    name: (prefix) => `${prefix}-${randomBytes(4).toString("hex")}`,
    async cleanup() {
      if (available) await removeLabelled(connectDocker(), FILE_LABEL, fileId);
    },
  };
}
