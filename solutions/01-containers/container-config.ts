/**
 * ContainerSpec (what the kubelet wants) -> Docker's create options (what the
 * engine understands). A pure function, so it can be tested without Docker.
 *
 * Every field lands in one of two places:
 *   - the container's Config: what runs (image, command, env, working dir,
 *     hostname, labels);
 *   - its HostConfig: how the host confines it: cgroup limits (Memory,
 *     NanoCpus), mounts, and which namespaces it gets or joins
 *     (NetworkMode, IpcMode, PidMode).
 */
import type Docker from "dockerode";
import { RuntimeError } from "../../shared/runtime/errors.ts";
import type { ContainerSpec, Mount } from "../../shared/runtime/types.ts";

/** Docker's rule for container names: a letter or digit, then letters, digits, `_`, `.` or `-`. */
export const CONTAINER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** Docker refuses memory limits below 6 MiB. */
export const MIN_MEMORY_BYTES = 6 * 1024 * 1024;

function invalid(spec: ContainerSpec, problem: string): RuntimeError {
  return new RuntimeError("InvalidSpec", `Invalid container spec "${spec.name}": ${problem}.`);
}

/** Throws RuntimeError("InvalidSpec") with one line that says what to fix. */
export function validateSpec(spec: ContainerSpec): void {
  // STEP(01.2): refuse, before Docker sees it, every spec Docker would refuse,
  // with a message that says how to fix it. The limits are the constants above
  // and the rules in ContainerSpec (shared/runtime/types.ts).
  // Tests: "01.2 validateSpec > rejects names that Docker rejects, with a message that names them and says the rule",
  // "01.2 validateSpec > rejects an empty image, tiny memory, a non-positive CPU limit, hostname with a joined network, relative mounts".
  //#solution
  if (!CONTAINER_NAME.test(spec.name)) {
    throw invalid(
      spec,
      "a name must be at least 2 characters, start with a letter or digit and contain only letters, digits, '_', '.' or '-'",
    );
  }
  if (!spec.image) throw invalid(spec, "the image is empty; name one, e.g. busybox:latest");
  const { memoryBytes, cpuMillis } = spec.resources ?? {};
  if (memoryBytes !== undefined && !(Number.isInteger(memoryBytes) && memoryBytes >= MIN_MEMORY_BYTES)) {
    throw invalid(spec, `memoryBytes must be a whole number of bytes, at least ${MIN_MEMORY_BYTES} (6 MiB), got ${memoryBytes}`);
  }
  if (cpuMillis !== undefined && !(Number.isInteger(cpuMillis) && cpuMillis > 0)) {
    throw invalid(spec, `cpuMillis must be a positive whole number of millicores (500 = half a core), got ${cpuMillis}`);
  }
  if (spec.hostname && spec.networkMode?.startsWith("container:")) {
    throw invalid(spec, "a container that joins another's network namespace shares its hostname; leave hostname unset");
  }
  for (const mount of spec.mounts ?? []) {
    if (!mount.target.startsWith("/")) throw invalid(spec, `mount target "${mount.target}" must be an absolute path`);
    if (mount.type === "bind" && !mount.source.startsWith("/")) {
      throw invalid(spec, `bind mount source "${mount.source}" must be an absolute path on the host`);
    }
  }
  //#end
}

/** Validates the spec and builds the body of Docker's `POST /containers/create`. */
export function toCreateOptions(spec: ContainerSpec): Docker.ContainerCreateOptions {
  validateSpec(spec);
  // STEP(01.2): Docker's create options for a valid spec. Kubernetes' names
  // differ from Docker's (command vs Entrypoint, args vs Cmd). Fields the spec
  // leaves out must leave the image's defaults alone. A container must not
  // swap past its memory limit.
  // Tests: "01.2 toCreateOptions > maps every field of the spec onto Docker's Config and HostConfig",
  // "01.2 toCreateOptions > leaves the image's defaults alone when the spec says nothing".
  //#solution
  const memory = spec.resources?.memoryBytes;
  const cpuMillis = spec.resources?.cpuMillis;
  return {
    name: spec.name,
    Image: spec.image,
    Entrypoint: spec.command,
    Cmd: spec.args,
    Env: spec.env ? Object.entries(spec.env).map(([key, value]) => `${key}=${value}`) : undefined,
    Labels: spec.labels ?? {},
    WorkingDir: spec.workingDir,
    Hostname: spec.hostname,
    StopSignal: spec.stopSignal,
    HostConfig: {
      // cgroups: memory.limit_in_bytes, and memory+swap set to the same value = no swap.
      Memory: memory,
      MemorySwap: memory,
      // cgroups: CPU quota. 1 core = 1e9 nano-CPUs = 1000 millicores.
      NanoCpus: cpuMillis !== undefined ? cpuMillis * 1_000_000 : undefined,
      Mounts: spec.mounts?.map(toDockerMount),
      // namespaces: a fresh one of each kind, unless told to join another container's.
      NetworkMode: spec.networkMode,
      IpcMode: spec.ipcMode,
      PidMode: spec.pidMode,
    },
  };
  //#end
}

/** One mount in Docker's words. Docker wants a Source even for a tmpfs, where it means nothing. */
function toDockerMount(mount: Mount): Docker.MountSettings {
  if (mount.type === "bind") {
    return { Type: "bind", Source: mount.source, Target: mount.target, ReadOnly: mount.readOnly ?? false };
  }
  return {
    Type: "tmpfs",
    Source: "",
    Target: mount.target,
    ReadOnly: mount.readOnly ?? false,
    // 0o1777: anyone may write, only the owner may delete (like /tmp).
    TmpfsOptions: mount.sizeBytes !== undefined ? { SizeBytes: mount.sizeBytes, Mode: 0o1777 } : undefined,
  };
}
