/**
 * Chapter 01 challenges (optional): they fail on the reference solution and
 * pass once you build the extension. Run them with
 * `npm run check 01 -- --challenges`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DockerRuntime } from "@tree/01-containers/docker-runtime.ts";
import { toCreateOptions } from "@tree/01-containers/container-config.ts";
import { connectDocker } from "../../shared/docker.ts";
import type { ContainerSpec, LogEntry } from "../../shared/runtime/types.ts";
import { dockerTest } from "../harness/docker.ts";

const d = dockerTest();

describe("01 challenge", () => {
  const runtime = new DockerRuntime(connectDocker());
  beforeAll(async () => {
    if (d.available) await runtime.ensureImage(d.image);
  });
  afterAll(async () => {
    await d.cleanup();
  });

  it("follows the logs until the container exits", async () => {
    expect(d.available, "this challenge needs a Docker engine").toBe(true);
    const follow = (runtime as unknown as { followLogs?: (id: string, onEntry: (e: LogEntry) => void) => Promise<void> })
      .followLogs;
    expect(typeof follow, "DockerRuntime has no followLogs(id, onEntry) yet").toBe("function");
    const id = await runtime.create({
      image: d.image,
      name: d.name("follow"),
      labels: d.labels(),
      command: ["sh", "-c", "echo one; sleep 1; echo two >&2; sleep 1; echo three"],
    });
    await runtime.start(id);
    const seen: string[] = [];
    await follow!.call(runtime, id, (e) => seen.push(`${e.stream}:${e.text.trim()}`));
    expect(seen.filter((line) => line.split(":")[1] !== "")).toEqual(["stdout:one", "stderr:two", "stdout:three"]);
    expect((await runtime.inspect(id)).state).toBe("exited");
  });

  it("makes the root file system read-only", () => {
    const spec = { name: "ro-root", image: "busybox:latest", readOnlyRootFilesystem: true } as ContainerSpec;
    const options = toCreateOptions(spec) as { HostConfig?: { ReadonlyRootfs?: boolean } };
    expect(options.HostConfig?.ReadonlyRootfs).toBe(true);
    const plain = toCreateOptions({ name: "rw-root", image: "busybox:latest" }) as { HostConfig?: { ReadonlyRootfs?: boolean } };
    expect(plain.HostConfig?.ReadonlyRootfs ?? false).toBe(false);
  });
});
