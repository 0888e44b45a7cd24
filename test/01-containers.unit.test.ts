/**
 * Chapter 01, the pure parts: no Docker needed, so these answer in milliseconds.
 *   01.2 container-config.ts  ContainerSpec -> Docker's create options
 *   01.5 status.ts            Docker's inspect/list JSON -> ContainerStatus
 *   01.6 demux.ts             Docker's multiplexed stream -> LogEntry[]
 */
import { describe, expect, it } from "vitest";
import { toCreateOptions, validateSpec } from "@tree/01-containers/container-config.ts";
import { demux, frame } from "@tree/01-containers/demux.ts";
import { toContainerState, toContainerStatus, toContainerSummary, type InspectJson } from "@tree/01-containers/status.ts";
import { isRuntimeError } from "../shared/runtime/errors.ts";
import type { ContainerSpec } from "../shared/runtime/types.ts";

const MiB = 1024 * 1024;

function invalidMessage(spec: ContainerSpec): string {
  let caught: unknown;
  try {
    validateSpec(spec);
  } catch (err) {
    caught = err;
  }
  expect(isRuntimeError(caught, "InvalidSpec"), `expected RuntimeError(InvalidSpec), got ${String(caught)}`).toBe(true);
  const message = (caught as Error).message;
  expect(message).not.toContain("\n");
  return message;
}

describe("01.2 validateSpec", () => {
  it("accepts names that Docker accepts", () => {
    for (const name of ["web", "web-1", "a.b_c-d", "0x", "Pod_9"]) {
      expect(() => validateSpec({ name, image: "busybox:latest" })).not.toThrow();
    }
  });

  it("rejects names that Docker rejects, with a message that names them and says the rule", () => {
    for (const name of ["", "a", "-web", ".web", "web 1", "web/1", "wéb", "web:1"]) {
      const message = invalidMessage({ name, image: "busybox:latest" });
      expect(message).toContain(`"${name}"`);
      expect(message).toMatch(/letter|digit/);
    }
  });

  it("rejects an empty image, tiny memory, a non-positive CPU limit, hostname with a joined network, relative mounts", () => {
    const base = { name: "web", image: "busybox:latest" };
    expect(invalidMessage({ ...base, image: "" })).toMatch(/image/);
    expect(invalidMessage({ ...base, resources: { memoryBytes: 1024 } })).toMatch(/memory/i);
    expect(invalidMessage({ ...base, resources: { cpuMillis: 0 } })).toMatch(/cpu/i);
    expect(invalidMessage({ ...base, resources: { cpuMillis: -500 } })).toMatch(/cpu/i);
    expect(invalidMessage({ ...base, hostname: "h", networkMode: "container:abc" })).toMatch(/hostname/);
    expect(invalidMessage({ ...base, mounts: [{ type: "tmpfs", target: "scratch" }] })).toMatch(/scratch/);
    expect(invalidMessage({ ...base, mounts: [{ type: "bind", source: "data", target: "/data" }] })).toMatch(/data/);
    expect(() => validateSpec({ ...base, resources: { memoryBytes: 32 * MiB, cpuMillis: 250 } })).not.toThrow();
  });
});

describe("01.2 toCreateOptions", () => {
  it("maps every field of the spec onto Docker's Config and HostConfig", () => {
    const options = toCreateOptions({
      name: "web-1",
      image: "busybox:latest",
      command: ["sh", "-c"],
      args: ["echo $GREETING"],
      env: { GREETING: "hello", EMPTY: "" },
      labels: { app: "web" },
      workingDir: "/srv",
      hostname: "web-host",
      stopSignal: "SIGINT",
      resources: { memoryBytes: 32 * MiB, cpuMillis: 500 },
      mounts: [
        { type: "bind", source: "/var/data", target: "/data", readOnly: true },
        { type: "tmpfs", target: "/scratch", sizeBytes: 8 * MiB },
      ],
      networkMode: "none",
      ipcMode: "shareable",
    });
    expect(options).toMatchObject({
      name: "web-1",
      Image: "busybox:latest",
      Entrypoint: ["sh", "-c"],
      Cmd: ["echo $GREETING"],
      Labels: { app: "web" },
      WorkingDir: "/srv",
      Hostname: "web-host",
      StopSignal: "SIGINT",
    });
    expect([...(options.Env ?? [])].sort()).toEqual(["EMPTY=", "GREETING=hello"]);
    const host = options.HostConfig!;
    expect(host.Memory).toBe(32 * MiB);
    expect(host.MemorySwap).toBe(32 * MiB); // memory + swap = memory: no swap at all
    expect(host.NanoCpus).toBe(500_000_000);
    expect(host.NetworkMode).toBe("none");
    expect(host.IpcMode).toBe("shareable");
    expect(host.Mounts).toHaveLength(2);
    expect(host.Mounts![0]).toMatchObject({ Type: "bind", Source: "/var/data", Target: "/data", ReadOnly: true });
    expect(host.Mounts![1]).toMatchObject({ Type: "tmpfs", Target: "/scratch", TmpfsOptions: { SizeBytes: 8 * MiB } });
    expect(host.Mounts![1]!.ReadOnly ?? false).toBe(false);
  });

  it("joins another container's namespaces", () => {
    const host = toCreateOptions({
      name: "sidecar",
      image: "busybox:latest",
      networkMode: "container:abc123",
      ipcMode: "container:abc123",
      pidMode: "container:abc123",
    }).HostConfig!;
    expect(host).toMatchObject({ NetworkMode: "container:abc123", IpcMode: "container:abc123", PidMode: "container:abc123" });
  });

  it("leaves the image's defaults alone when the spec says nothing", () => {
    const options = toCreateOptions({ name: "plain", image: "busybox:latest" });
    expect(options.name).toBe("plain");
    expect(options.Image).toBe("busybox:latest");
    // No command or args: the image's ENTRYPOINT and CMD apply.
    expect(options.Entrypoint).toBeUndefined();
    expect(options.Cmd).toBeUndefined();
    expect(options.Hostname).toBeUndefined();
    const host = options.HostConfig ?? {};
    expect(host.Memory ?? 0).toBe(0); // 0 is Docker's "no limit"
    expect(host.NanoCpus ?? 0).toBe(0);
    expect(host.Mounts ?? []).toEqual([]);
  });

  it("validates before it builds anything", () => {
    expect(() => toCreateOptions({ name: "bad name", image: "busybox:latest" })).toThrow(/bad name/);
  });
});

describe("01.6 demux", () => {
  it("splits frames into stdout and stderr entries, in order", () => {
    const buffer = Buffer.concat([frame("stdout", "out 1\n"), frame("stderr", "err 1\n"), frame("stdout", "out 2\n")]);
    expect(demux(buffer)).toEqual([
      { stream: "stdout", text: "out 1\n" },
      { stream: "stderr", text: "err 1\n" },
      { stream: "stdout", text: "out 2\n" },
    ]);
  });

  it("reads the payload size as a 32-bit big-endian number", () => {
    const big = "x".repeat(70_000) + "\n"; // needs bytes 5, 6 and 7 of the header
    const entries = demux(Buffer.concat([frame("stderr", big), frame("stdout", "after\n")]));
    expect(entries.map((e) => [e.stream, e.text.length])).toEqual([
      ["stderr", big.length],
      ["stdout", 6],
    ]);
  });

  it("builds the header itself: byte 0 is the stream, bytes 4-7 the size", () => {
    const handMade = Buffer.from([2, 0, 0, 0, 0, 0, 0, 3, 0x65, 0x72, 0x72, 1, 0, 0, 0, 0, 0, 0, 2, 0x6f, 0x6b]);
    expect(demux(handMade)).toEqual([
      { stream: "stderr", text: "err" },
      { stream: "stdout", text: "ok" },
    ]);
  });

  it("returns nothing for an empty stream", () => {
    expect(demux(Buffer.alloc(0))).toEqual([]);
  });

  it("keeps a UTF-8 character whole when a frame boundary splits it", () => {
    const bytes = Buffer.from("größe €\n", "utf8");
    const cut = bytes.indexOf(0xe2) + 1; // inside the 3 bytes of "€"
    const header = (size: number) => Buffer.from([1, 0, 0, 0, 0, 0, 0, size]);
    const buffer = Buffer.concat([header(cut), bytes.subarray(0, cut), header(bytes.length - cut), bytes.subarray(cut)]);
    expect(
      demux(buffer)
        .map((e) => e.text)
        .join(""),
    ).toBe("größe €\n");
  });
});

function inspectJson(
  overrides: Partial<InspectJson["State"]> & { networks?: Record<string, { IPAddress: string }> },
): InspectJson {
  const { networks, ...state } = overrides;
  return {
    Id: "f00d",
    Name: "/web-1",
    Created: "2024-05-01T10:00:00.123456789Z",
    State: {
      Status: "running",
      OOMKilled: false,
      Pid: 4242,
      ExitCode: 0,
      Error: "",
      StartedAt: "2024-05-01T10:00:01.5Z",
      FinishedAt: "0001-01-01T00:00:00Z",
      ...state,
    },
    Config: { Image: "busybox:latest", Labels: { app: "web" } },
    NetworkSettings: { Networks: networks ?? { bridge: { IPAddress: "172.17.0.5" } } },
  };
}

describe("01.5 status", () => {
  it("maps Docker's seven states onto created, running and exited", () => {
    expect(toContainerState("created")).toBe("created");
    for (const s of ["running", "paused", "restarting"]) expect(toContainerState(s)).toBe("running");
    for (const s of ["exited", "dead", "removing"]) expect(toContainerState(s)).toBe("exited");
    expect(toContainerState("something-new")).toBe("unknown");
  });

  it("describes a running container: no exit code or finish time yet, its pid and address", () => {
    const status = toContainerStatus(inspectJson({}));
    expect(status).toMatchObject({
      id: "f00d",
      name: "web-1",
      image: "busybox:latest",
      labels: { app: "web" },
      state: "running",
      oomKilled: false,
      pid: 4242,
      ip: "172.17.0.5",
      startedAt: "2024-05-01T10:00:01.500Z",
    });
    expect(new Date(status.createdAt).toISOString()).toBe("2024-05-01T10:00:00.123Z");
    expect(status.exitCode).toBeUndefined();
    expect(status.finishedAt).toBeUndefined();
    expect(status.error).toBeUndefined();
  });

  it("describes an OOM-killed container", () => {
    const status = toContainerStatus(
      inspectJson({
        Status: "exited",
        Pid: 0,
        ExitCode: 137,
        OOMKilled: true,
        FinishedAt: "2024-05-01T10:00:03Z",
        networks: { bridge: { IPAddress: "" } },
      }),
    );
    expect(status).toMatchObject({ state: "exited", exitCode: 137, oomKilled: true, finishedAt: "2024-05-01T10:00:03.000Z" });
    expect(status.pid).toBeUndefined();
    expect(status.ip).toBeUndefined();
  });

  it("leaves out what has not happened: a created container has no start time, exit code or pid", () => {
    const status = toContainerStatus(inspectJson({ Status: "created", Pid: 0, StartedAt: "0001-01-01T00:00:00Z" }));
    expect(status.state).toBe("created");
    expect(status.startedAt).toBeUndefined();
    expect(status.exitCode).toBeUndefined();
    expect(status.pid).toBeUndefined();
  });

  it("has no address of its own on network none, and passes the engine's error on", () => {
    const status = toContainerStatus(
      inspectJson({
        Status: "exited",
        ExitCode: 127,
        Error: 'exec: "nope": executable file not found in $PATH',
        networks: { none: { IPAddress: "" } },
      }),
    );
    expect(status.ip).toBeUndefined();
    expect(status.exitCode).toBe(127);
    expect(status.error).toContain("executable file not found");
  });

  it("summarises a list entry without Docker's leading slash", () => {
    expect(
      toContainerSummary({ Id: "beef", Names: ["/db-0"], Image: "busybox:latest", Labels: { app: "db" }, State: "exited" }),
    ).toEqual({ id: "beef", name: "db-0", image: "busybox:latest", labels: { app: "db" }, state: "exited" });
  });
});
