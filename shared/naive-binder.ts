/**
 * The naive binder: a STAND-IN for the scheduler, retired by chapter 09.
 *
 * A new pod has no spec.nodeName, and a kubelet only runs pods bound to its
 * node. Someone must choose a node and bind the pod (POST
 * pods/NAME/binding). In Kubernetes that is the scheduler, which weighs
 * resources, affinities, taints... you build it in chapter 09. Until then
 * this binder does the least that works: it puts every unbound pod on the
 * next Ready node, round robin. It ignores requests, node selectors and taints.
 *
 * It is given code, not an exercise, and talks plain HTTP (fetch) so that it
 * works whatever state your chapter 04 client is in.
 *
 *   const binder = startNaiveBinder({ server: "http://127.0.0.1:6443" });
 *   ...
 *   await binder.stop();
 */
import type { List, Node, Pod, WatchEvent } from "./api/index.ts";

export interface NaiveBinderOptions {
  /** The apiserver URL. */
  server: string;
  token?: string;
  /** Look again at least this often even without pod events (nodes that became Ready). Default 1000 ms. */
  resyncIntervalMs?: number;
  /** Told about each binding and each failure. Default: nowhere. */
  log?: (message: string) => void;
}

export interface NaiveBinder {
  /** How many pods it has bound. */
  readonly bound: number;
  stop(): Promise<void>;
}

function isReady(node: Node): boolean {
  return !node.spec?.unschedulable && node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;
}

export function startNaiveBinder(options: NaiveBinderOptions): NaiveBinder {
  const server = options.server.replace(/\/+$/, "");
  const headers: Record<string, string> = { accept: "application/json", "content-type": "application/json" };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const log = options.log ?? (() => {});
  const resync = options.resyncIntervalMs ?? 1_000;
  let stopped = false;
  let bound = 0;
  let next = 0;
  let watchAbort: AbortController | undefined;

  async function getJson<T>(path: string): Promise<T> {
    const res = await fetch(server + path, { headers });
    if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${(await res.text()).slice(0, 200)}`);
    return (await res.json()) as T;
  }

  /** Binds every unbound pod; returns the pods list's resourceVersion. */
  async function bindPending(): Promise<string | undefined> {
    const pods = await getJson<List<Pod>>("/api/v1/pods");
    const pending = pods.items.filter((p) => !p.spec?.nodeName && !p.metadata?.deletionTimestamp);
    if (pending.length > 0) {
      const nodes = (await getJson<List<Node>>("/api/v1/nodes")).items.filter(isReady);
      nodes.sort((a, b) => (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? ""));
      for (const pod of nodes.length > 0 ? pending : []) {
        const node = nodes[next++ % nodes.length]!.metadata!.name!;
        const { namespace = "default", name = "" } = pod.metadata ?? {};
        const res = await fetch(
          `${server}/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}/binding`,
          {
            method: "POST",
            headers,
            body: JSON.stringify({ apiVersion: "v1", kind: "Binding", metadata: { name }, target: { kind: "Node", name: node } }),
          },
        );
        if (res.ok) {
          bound++;
          log(`naive binder: bound pod ${namespace}/${name} to node ${node}`);
        } else if (res.status !== 409 && res.status !== 404) {
          log(`naive binder: binding ${namespace}/${name} failed: ${res.status} ${(await res.text()).slice(0, 200)}`);
        }
      }
    }
    return pods.metadata?.resourceVersion;
  }

  /** Waits until a pod event arrives (or the resync interval passes). */
  async function waitForPods(resourceVersion: string | undefined): Promise<void> {
    watchAbort = new AbortController();
    const abort = watchAbort;
    const timer = setTimeout(() => abort.abort(), resync);
    try {
      const query = resourceVersion ? `&resourceVersion=${resourceVersion}` : "";
      const res = await fetch(`${server}/api/v1/pods?watch=1${query}`, { headers, signal: abort.signal });
      if (!res.ok || !res.body) return;
      let text = "";
      for await (const chunk of res.body) {
        text += Buffer.from(chunk).toString();
        for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n")) {
          const event = JSON.parse(text.slice(0, nl)) as WatchEvent<Pod>;
          text = text.slice(nl + 1);
          if (event.type === "ADDED" && !(event.object as Pod).spec?.nodeName) return;
        }
      }
    } catch {
      // Aborted (resync time, or stop): look again. The apiserver does not
      // answer: wait out the rest of the interval before trying again.
      while (!abort.signal.aborted && !stopped) await new Promise((r) => setTimeout(r, 50));
    } finally {
      clearTimeout(timer);
      abort.abort();
    }
  }

  const loop = (async () => {
    while (!stopped) {
      let version: string | undefined;
      try {
        version = await bindPending();
      } catch (err) {
        log(`naive binder: ${(err as Error).message}`);
      }
      if (!stopped) await waitForPods(version);
    }
  })();

  return {
    get bound() {
      return bound;
    },
    async stop() {
      stopped = true;
      watchAbort?.abort();
      await loop;
    },
  };
}
