/**
 * FakeRuntime: a ContainerRuntime that keeps everything in memory and never
 * runs a process. Kubernetes calls this a "hollow" node (kubemark): a real
 * kubelet over a fake runtime, so that one machine can pretend to be a
 * cluster of thousands of nodes. Later chapters use it the same way, for
 * tests at a scale no Docker engine would survive, and for tests that need a
 * container to crash or run out of memory exactly when they say so.
 *
 * It behaves like DockerRuntime where callers can tell the difference:
 * the same states (created -> running -> exited), the same RuntimeError codes,
 * a name taken once, images that must be present, addresses on a bridge
 * (10.88.0.0/16; strings only, nothing ever listens there).
 * Processes are simulated with test hooks:
 *
 *   const fake = new FakeRuntime();
 *   const id = await fake.create({ name: "web", image: TEST_IMAGE });
 *   await fake.start(id);
 *   fake.writeLog(id, "stdout", "listening\n");   // the "process" prints
 *   fake.exit(id, 3);                              // ... and exits with 3
 *   fake.oomKill(id);                              // or is OOM killed (137)
 */
import { randomBytes } from "node:crypto";
import { RuntimeError } from "./errors.ts";
import type {
  ContainerRuntime,
  ContainerSpec,
  ContainerState,
  ContainerStatus,
  ContainerSummary,
  ExecResult,
  ImageProgress,
  LogEntry,
  LogOptions,
} from "./types.ts";
import { TEST_IMAGE } from "../test-image.ts";

/** What an exec returns, computed from the container and the command. */
export type ExecHandler = (container: ContainerStatus, command: string[]) => ExecResult | Promise<ExecResult>;

export interface FakeRuntimeOptions {
  /** Shown in errors, e.g. the hollow node's name. Default "fake". */
  name?: string;
  /** Images present from the start. Default: [TEST_IMAGE]. */
  images?: string[];
  /** Images ensureImage() can "pull". Default: none (like a machine without a registry). */
  registry?: string[];
  /** The clock for timestamps. Default: the real one. */
  now?: () => Date;
  /** What exec() returns. Default: exit code 0, no output. */
  exec?: ExecHandler;
  /**
   * Exit code of a container ended by stop(). Default 0: the process handled
   * SIGTERM and exited cleanly. Use setStopExitCode(id, 137) for one that
   * ignores SIGTERM and is killed when the grace period ends.
   */
  stopExitCode?: number;
  /** Called right after a container starts: script its output or its exit with the hooks. */
  onStart?: (id: string, spec: ContainerSpec) => void;
}

interface FakeContainer {
  id: string;
  spec: ContainerSpec;
  state: ContainerState;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  exitCode?: number;
  oomKilled: boolean;
  ip?: string;
  pid?: number;
  logs: LogEntry[];
  stopExitCode?: number;
}

/** Docker's rule for container names (see solutions/01-containers/container-config.ts). */
const CONTAINER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** 10.88.0.0/16: host numbers 2 ... 65534 (.0.1 would be the bridge's gateway). */
const FIRST_HOST = 2;
const LAST_HOST = 65534;

export class FakeRuntime implements ContainerRuntime {
  private readonly name: string;
  private readonly images: Set<string>;
  private readonly registry: Set<string>;
  private readonly now: () => Date;
  private execHandler: ExecHandler;
  private readonly stopExitCode: number;
  private readonly onStart?: (id: string, spec: ContainerSpec) => void;

  /** Containers by id, in creation order. */
  private readonly containers = new Map<string, FakeContainer>();
  private readonly idsByName = new Map<string, string>();
  private readonly usedHosts = new Set<number>();
  private nextHost = FIRST_HOST;
  private nextPid = 4000;
  private available = true;

  constructor(options: FakeRuntimeOptions = {}) {
    this.name = options.name ?? "fake";
    this.images = new Set(options.images ?? [TEST_IMAGE]);
    this.registry = new Set(options.registry ?? []);
    this.now = options.now ?? (() => new Date());
    this.execHandler = options.exec ?? (() => ({ exitCode: 0, stdout: "", stderr: "" }));
    this.stopExitCode = options.stopExitCode ?? 0;
    this.onStart = options.onStart;
  }

  // ---- the ContainerRuntime interface ------------------------------------

  async ping(): Promise<void> {
    if (!this.available) {
      throw new RuntimeError(
        "EngineUnavailable",
        `The fake runtime "${this.name}" is switched off: call setEngineAvailable(true) to bring it back.`,
      );
    }
  }

  async ensureImage(image: string, onProgress: (p: ImageProgress) => void = () => {}): Promise<void> {
    await this.ping();
    if (this.images.has(image)) return;
    if (!this.registry.has(image)) {
      throw new RuntimeError(
        "ImageNotFound",
        `Image "${image}" is not in the fake runtime "${this.name}" and not in its registry: ` +
          "add it with addImage() or list it in the `images` or `registry` option.",
      );
    }
    onProgress({ image, status: "pulling" });
    this.images.add(image);
    onProgress({ image, status: "pulled" });
  }

  async create(spec: ContainerSpec): Promise<string> {
    await this.ping();
    if (!CONTAINER_NAME.test(spec.name)) {
      throw new RuntimeError(
        "InvalidSpec",
        `Invalid container spec "${spec.name}": a name must be at least 2 characters, start with a letter or digit ` +
          "and contain only letters, digits, '_', '.' or '-'.",
      );
    }
    if (spec.hostname && spec.networkMode?.startsWith("container:")) {
      throw new RuntimeError(
        "InvalidSpec",
        `Invalid container spec "${spec.name}": a container that joins another's network namespace shares its hostname; leave hostname unset.`,
      );
    }
    if (!this.images.has(spec.image)) {
      throw new RuntimeError(
        "ImageNotFound",
        `Image "${spec.image}" is not in the fake runtime "${this.name}": call ensureImage() first.`,
      );
    }
    if (this.idsByName.has(spec.name)) {
      throw new RuntimeError(
        "NameConflict",
        `A container named "${spec.name}" already exists in the fake runtime "${this.name}": pick another name or remove it first.`,
      );
    }
    const id = randomBytes(32).toString("hex");
    this.containers.set(id, {
      id,
      spec: structuredClone(spec),
      state: "created",
      createdAt: this.timestamp(),
      oomKilled: false,
      logs: [],
    });
    this.idsByName.set(spec.name, id);
    return id;
  }

  async start(id: string): Promise<void> {
    await this.ping();
    const c = this.find(id);
    if (c.state === "running") return;
    // Joining another container's namespace needs that container to run,
    // and an IPC namespace can only be joined if its owner made it shareable.
    for (const mode of [c.spec.networkMode, c.spec.ipcMode, c.spec.pidMode]) {
      if (!mode?.startsWith("container:")) continue;
      const owner = this.find(mode.slice("container:".length));
      if (owner.state !== "running") {
        throw new RuntimeError(
          "NotRunning",
          `Cannot start "${c.spec.name}": it joins the namespaces of "${owner.spec.name}", which is not running; start that one first.`,
        );
      }
      if (mode === c.spec.ipcMode && owner.spec.ipcMode !== "shareable") {
        throw new RuntimeError(
          "InvalidSpec",
          `Cannot start "${c.spec.name}": the IPC namespace of "${owner.spec.name}" is not shareable; create that one with ipcMode "shareable".`,
        );
      }
    }
    c.state = "running";
    c.startedAt = this.timestamp();
    c.exitCode = undefined;
    c.oomKilled = false;
    c.pid = this.nextPid++;
    c.ip = this.ownsNetwork(c.spec) ? this.allocateIp() : undefined;
    this.onStart?.(c.id, structuredClone(c.spec));
  }

  async stop(id: string, _gracePeriodSeconds: number): Promise<void> {
    await this.ping();
    const c = this.find(id);
    if (c.state !== "running") return;
    // No process waits out its grace period here: it "handles" SIGTERM at once,
    // or (setStopExitCode(id, 137)) "is killed" at once.
    this.finish(c, c.stopExitCode ?? this.stopExitCode, false);
  }

  async remove(id: string): Promise<void> {
    await this.ping();
    const c = this.lookup(id);
    if (!c) return;
    if (c.state === "running") this.finish(c, 137, false);
    this.containers.delete(c.id);
    this.idsByName.delete(c.spec.name);
  }

  async list(labels: Record<string, string> = {}): Promise<ContainerSummary[]> {
    await this.ping();
    const wanted = Object.entries(labels);
    const out: ContainerSummary[] = [];
    for (const c of this.containers.values()) {
      const own = c.spec.labels ?? {};
      if (wanted.every(([key, value]) => own[key] === value)) out.push(this.summary(c));
    }
    return out;
  }

  async inspect(id: string): Promise<ContainerStatus> {
    await this.ping();
    return this.status(this.find(id));
  }

  async logs(id: string, options: LogOptions = {}): Promise<LogEntry[]> {
    await this.ping();
    const c = this.find(id);
    const entries = options.tail === undefined ? c.logs : c.logs.slice(Math.max(0, c.logs.length - options.tail));
    return entries.map((e) => ({ ...e }));
  }

  async exec(id: string, command: string[]): Promise<ExecResult> {
    await this.ping();
    const c = this.find(id);
    if (c.state !== "running") {
      throw new RuntimeError(
        "NotRunning",
        `Cannot exec in container "${c.spec.name}": it is not running; start it first (its state shows in inspect()).`,
      );
    }
    return { ...(await this.execHandler(this.status(c), [...command])) };
  }

  // ---- test hooks: what a real process would do --------------------------

  /** The "process" of a running container exits with this code. */
  exit(id: string, exitCode: number): void {
    const c = this.find(id);
    if (c.state !== "running") throw this.notRunning(c, "exit");
    this.finish(c, exitCode, false);
  }

  /** The kernel's OOM killer ends a running container: exit code 137, oomKilled. */
  oomKill(id: string): void {
    const c = this.find(id);
    if (c.state !== "running") throw this.notRunning(c, "OOM-kill");
    this.finish(c, 137, true);
  }

  /** The "process" writes to stdout or stderr; logs keep one entry per line. */
  writeLog(id: string, stream: LogEntry["stream"], text: string): void {
    const c = this.find(id);
    for (const line of text.match(/[^\n]*\n|[^\n]+$/g) ?? []) c.logs.push({ stream, text: line });
  }

  /** The exit code stop() gives this container (137: it ignores SIGTERM and is killed). */
  setStopExitCode(id: string, exitCode: number): void {
    this.find(id).stopExitCode = exitCode;
  }

  setExecHandler(handler: ExecHandler): void {
    this.execHandler = handler;
  }

  addImage(image: string): void {
    this.images.add(image);
  }

  hasImage(image: string): boolean {
    return this.images.has(image);
  }

  /** false: every call throws RuntimeError("EngineUnavailable"), like a stopped Docker engine. */
  setEngineAvailable(available: boolean): void {
    this.available = available;
  }

  // ---- internals ----------------------------------------------------------

  /** By id, by name, or by a unique prefix of the id, as Docker accepts. */
  private lookup(idOrName: string): FakeContainer | undefined {
    const direct = this.containers.get(idOrName) ?? this.containers.get(this.idsByName.get(idOrName) ?? "");
    if (direct || idOrName.length === 0) return direct;
    let match: FakeContainer | undefined;
    for (const c of this.containers.values()) {
      if (!c.id.startsWith(idOrName)) continue;
      if (match) return undefined; // ambiguous
      match = c;
    }
    return match;
  }

  private find(idOrName: string): FakeContainer {
    const c = this.lookup(idOrName);
    if (!c) {
      throw new RuntimeError(
        "ContainerNotFound",
        `No container "${idOrName}" in the fake runtime "${this.name}": it was removed or never created.`,
      );
    }
    return c;
  }

  private finish(c: FakeContainer, exitCode: number, oomKilled: boolean): void {
    c.state = "exited";
    c.exitCode = exitCode;
    c.oomKilled = oomKilled;
    c.finishedAt = this.timestamp();
    c.pid = undefined;
    if (c.ip) this.releaseIp(c.ip);
    c.ip = undefined;
  }

  private notRunning(c: FakeContainer, doing: string): RuntimeError {
    return new RuntimeError("NotRunning", `Cannot ${doing} container "${c.spec.name}": it is ${c.state}, not running.`);
  }

  /** "none" has only loopback; `container:<id>` uses the other container's address. */
  private ownsNetwork(spec: ContainerSpec): boolean {
    return spec.networkMode !== "none" && !spec.networkMode?.startsWith("container:");
  }

  private allocateIp(): string {
    for (let tried = 0; tried <= LAST_HOST - FIRST_HOST; tried++) {
      const host = this.nextHost;
      this.nextHost = host >= LAST_HOST ? FIRST_HOST : host + 1;
      if (this.usedHosts.has(host)) continue;
      this.usedHosts.add(host);
      return `10.88.${host >> 8}.${host & 0xff}`;
    }
    throw new Error(`The fake runtime "${this.name}" has no free address left in 10.88.0.0/16: remove some containers.`);
  }

  private releaseIp(ip: string): void {
    const [, , high, low] = ip.split(".").map(Number);
    this.usedHosts.delete((high! << 8) | low!);
  }

  private timestamp(): string {
    return this.now().toISOString();
  }

  private summary(c: FakeContainer): ContainerSummary {
    return { id: c.id, name: c.spec.name, image: c.spec.image, labels: { ...(c.spec.labels ?? {}) }, state: c.state };
  }

  private status(c: FakeContainer): ContainerStatus {
    return {
      ...this.summary(c),
      exitCode: c.exitCode,
      oomKilled: c.oomKilled,
      createdAt: c.createdAt,
      startedAt: c.startedAt,
      finishedAt: c.state === "exited" ? c.finishedAt : undefined,
      ip: c.ip,
      pid: c.pid,
    };
  }
}
