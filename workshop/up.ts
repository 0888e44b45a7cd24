/**
 * `npm start`: brings up the cluster built from every chapter present, on the
 * local machine, until Ctrl-C.
 *
 *   store (02)      embedded, durable, in .cluster/data (or --data DIR)
 *   apiserver (03)  http://127.0.0.1:8080 (or --port N)
 *   kubeconfig (04) .kube/config, for our kubectl and the real one
 *   ...             later chapters add kubelets, controllers, the scheduler, proxies
 *
 * --tree chapters runs the learner's own code instead of the reference.
 * Every component is started in chapter order and stopped in reverse order.
 */
import { existsSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { REPO_ROOT } from "../shared/chapters.ts";
import { c, UserError } from "./ui.ts";

type StoreModule = typeof import("../solutions/02-etcd/index.ts");
type ApiServerModule = typeof import("../solutions/03-apiserver/index.ts");
type KubeconfigModule = typeof import("../solutions/04-kubectl/kubectl/kubeconfig.ts");

export interface UpOptions {
  tree: string;
  port: number;
  dataDir: string;
  fresh: boolean;
}

/** A running part of the cluster, stopped in reverse order of starting. */
interface Running {
  name: string;
  stop(): Promise<void>;
}

export function parseUpArgs(args: string[]): UpOptions {
  const value = (flag: string) => {
    const i = args.indexOf(flag);
    if (i < 0) return undefined;
    const v = args[i + 1];
    if (v === undefined || v.startsWith("--")) throw new UserError(`${flag} needs a value`);
    return v;
  };
  const treeName = value("--tree") ?? "solutions";
  if (treeName !== "solutions" && treeName !== "chapters") {
    throw new UserError(`--tree is "solutions" (the reference) or "chapters" (your code), not "${treeName}"`);
  }
  const portText = value("--port") ?? "8080";
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UserError(`--port must be a port number, not "${portText}"`);
  const known = new Set(["--tree", "--port", "--data", "--fresh"]);
  const unknown = args.filter((a, i) => a.startsWith("--") && !known.has(a) && !known.has(args[i - 1] ?? ""));
  if (unknown.length) throw new UserError(`unknown option ${unknown[0]}: options are --tree, --port, --data, --fresh`);
  return {
    tree: join(REPO_ROOT, treeName),
    port,
    dataDir: value("--data") ?? join(REPO_ROOT, ".cluster", "data"),
    fresh: args.includes("--fresh"),
  };
}

async function load<T>(tree: string, file: string): Promise<T | undefined> {
  const path = join(tree, file);
  if (!existsSync(path)) return undefined;
  return (await import(pathToFileURL(path).href)) as T;
}

export async function up(args: string[]): Promise<void> {
  const options = parseUpArgs(args);
  const running: Running[] = [];
  const step = (text: string) => console.log(`${c.dim("...")} ${text}`);

  const stopAll = async () => {
    for (const part of running.reverse()) {
      await part.stop().catch((err: Error) => console.log(c.yellow(`  ${part.name}: ${err.message}`)));
    }
  };

  try {
    const storeModule = await load<StoreModule>(options.tree, "02-etcd/index.ts");
    const apiModule = await load<ApiServerModule>(options.tree, "03-apiserver/index.ts");
    if (!storeModule || !apiModule) throw new UserError("this tree has no store (02) or apiserver (03) yet: nothing to bring up");

    if (options.fresh) rmSync(options.dataDir, { recursive: true, force: true });
    step(`store: opening ${relative(process.cwd(), options.dataDir) || options.dataDir}`);
    const store = await storeModule.openEmbeddedStore({ dir: options.dataDir });
    running.push({ name: "store", stop: () => store.close() });
    step(`store: revision ${await store.revision()}`);

    step(`apiserver: starting on 127.0.0.1:${options.port}`);
    const apiserver = await apiModule.startApiServer({ store, host: "127.0.0.1", port: options.port }).catch((err: NodeJS.ErrnoException) => {
      if (err.code === "EADDRINUSE") throw new UserError(`port ${options.port} is taken: pick another with npm start -- --port 8081`);
      throw err;
    });
    running.push({ name: "apiserver", stop: () => apiserver.close() });

    const kubeconfigModule = await load<KubeconfigModule>(options.tree, "04-kubectl/kubectl/kubeconfig.ts");
    let kubeconfig: string | undefined;
    if (kubeconfigModule) {
      kubeconfig = kubeconfigModule.WORKSHOP_KUBECONFIG;
      await kubeconfigModule.writeKubeconfig(kubeconfig, { server: apiserver.url });
    }

    console.log();
    console.log(`${c.green("The cluster is up.")} apiserver: ${c.cyan(apiserver.url)}`);
    if (kubeconfig) {
      const rel = relative(process.cwd(), kubeconfig);
      console.log(`kubeconfig: ${c.cyan(rel)}`);
      console.log(`  the real kubectl:  ${c.cyan(`KUBECONFIG=${rel} kubectl get pods`)}`);
      console.log(`  your kubectl:      ${c.cyan("npm run kubectl -- get pods")}`);
    }
    console.log(c.dim("Ctrl-C stops it (the data stays in the data folder; --fresh starts empty)."));

    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    console.log("\nstopping ...");
  } finally {
    await stopAll();
  }
  console.log("stopped.");
}
