/**
 * The container runtime interface: everything the kubelet needs from "something
 * that runs containers", and nothing more.
 *
 * Kubernetes talks to runtimes through an interface of the same kind, the CRI
 * (Container Runtime Interface). That is why the same kubelet can drive
 * containerd, CRI-O or, in this workshop, Docker (chapter 01's DockerRuntime)
 * and an in-memory fake (shared/runtime/fake-runtime.ts) that lets the tests
 * run thousands of "hollow" nodes without starting a single process.
 */

/** A container's life: created -> running -> exited (and then removed). */
export type ContainerState = "created" | "running" | "exited" | "unknown";

/** A directory (or file) from the host, or a fresh in-memory filesystem. */
export type Mount =
  | { type: "bind"; source: string; target: string; readOnly?: boolean }
  | { type: "tmpfs"; target: string; sizeBytes?: number; readOnly?: boolean };

/** `container:<id or name>`: join the namespace that another container owns. */
export type JoinContainer = `container:${string}`;

export interface ContainerSpec {
  /** Unique name on the engine (Docker: two characters or more, letters, digits and `_.-`, starting with a letter or digit). */
  name: string;
  image: string;
  /** Replaces the image's entrypoint, like `command` in a Kubernetes container. */
  command?: string[];
  /** Replaces the image's default arguments (CMD), like `args` in Kubernetes. */
  args?: string[];
  env?: Record<string, string>;
  labels?: Record<string, string>;
  workingDir?: string;
  /** The UTS namespace's hostname. Not allowed together with a joined network namespace. */
  hostname?: string;
  /** cgroup limits. */
  resources?: {
    /** Hard memory limit; the kernel's OOM killer ends the container beyond it. */
    memoryBytes?: number;
    /** CPU quota in thousandths of a core (Kubernetes' "millicores"): 500 = half a core. */
    cpuMillis?: number;
  };
  mounts?: Mount[];
  /**
   * Network namespace: "bridge" (Docker's default network), "none" (loopback
   * only), the name of a Docker network, or `container:<id>` to share another
   * container's network namespace (and with it its IP, ports and hostname).
   */
  networkMode?: "bridge" | "none" | JoinContainer | (string & {});
  /** IPC namespace: "shareable" lets others join it; `container:<id>` joins one. */
  ipcMode?: "private" | "shareable" | JoinContainer;
  /** PID namespace: `container:<id>` shares another container's process tree. */
  pidMode?: JoinContainer;
  /** Signal that asks the process to stop (default SIGTERM). */
  stopSignal?: string;
}

export interface ContainerSummary {
  id: string;
  name: string;
  image: string;
  labels: Record<string, string>;
  state: ContainerState;
}

export interface ContainerStatus extends ContainerSummary {
  /** Set once the container has exited. 137 = killed by SIGKILL (128 + 9). */
  exitCode?: number;
  /** True when the kernel's OOM killer ended the container (memory limit). */
  oomKilled: boolean;
  /**
   * ISO 8601 timestamps, as Date.prototype.toISOString() writes them
   * ("2024-05-01T10:00:01.500Z"): Docker writes up to nine digits of a
   * second, and a caller compares these strings.
   */
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** The container's IP on its network, when it has one of its own. */
  ip?: string;
  /** The host PID of the container's first process, while it runs. */
  pid?: number;
  /** What the engine said went wrong when starting it, if anything. */
  error?: string;
}

/** One chunk of output, from the stream the process wrote it to. */
export interface LogEntry {
  stream: "stdout" | "stderr";
  text: string;
}

export interface LogOptions {
  /** Only the last N lines. */
  tail?: number;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Progress of an image pull or import, for a progress line on the terminal. */
export interface ImageProgress {
  image: string;
  status: string;
  /** Bytes done and total, when known. */
  current?: number;
  total?: number;
}

export interface ContainerRuntime {
  /** Throws RuntimeError("EngineUnavailable") when no engine answers. */
  ping(): Promise<void>;
  /** Makes sure the image is present: nothing to do if it is, pulled if not. */
  ensureImage(image: string, onProgress?: (p: ImageProgress) => void): Promise<void>;
  /** Creates (does not start) a container and returns its id. */
  create(spec: ContainerSpec): Promise<string>;
  start(id: string): Promise<void>;
  /**
   * Asks the process to stop (stop signal), waits up to gracePeriodSeconds for
   * it to exit, then kills it (SIGKILL). A no-op for a container that is not running.
   */
  stop(id: string, gracePeriodSeconds: number): Promise<void>;
  /** Removes a container (killing it first if it runs). Removing a missing container is not an error. */
  remove(id: string): Promise<void>;
  /** All containers (running or not) that carry every one of these labels. */
  list(labels?: Record<string, string>): Promise<ContainerSummary[]>;
  /** Throws RuntimeError("ContainerNotFound") for an unknown id. */
  inspect(id: string): Promise<ContainerStatus>;
  /** The container's output so far, stdout and stderr kept apart, in order. */
  logs(id: string, options?: LogOptions): Promise<LogEntry[]>;
  /** Runs a command inside a running container and waits for it. */
  exec(id: string, command: string[]): Promise<ExecResult>;
}

/** Joins the text of log entries, optionally of one stream only. */
export function logText(entries: LogEntry[], stream?: LogEntry["stream"]): string {
  return entries
    .filter((e) => stream === undefined || e.stream === stream)
    .map((e) => e.text)
    .join("");
}
