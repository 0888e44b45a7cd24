/**
 * `npm run kubectl -- get pods`: runs the kubectl of chapter 04 from your own
 * tree (chapters/, the default) or from the reference (solutions/).
 *
 *   npm run kubectl -- get pods                       # your kubectl
 *   npm run kubectl -- --tree solutions get pods      # the reference one
 *   WORKSHOP_TREE=solutions npm run kubectl -- get pods
 *
 * It talks to the cluster of `npm start` (its kubeconfig is .kube/config),
 * or to the one named by --server, --kubeconfig or $KUBECONFIG.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { CHAPTERS, REPO_ROOT } from "../shared/chapters.ts";

type Run = (argv: string[], io: Record<string, unknown>, plugins: unknown[]) => Promise<number>;

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  let tree = process.env.WORKSHOP_TREE ?? "chapters";
  const flag = argv.findIndex((a) => a === "--tree" || a.startsWith("--tree="));
  if (flag >= 0) {
    const [arg] = argv.splice(flag, 1);
    tree = arg!.includes("=") ? arg!.slice("--tree=".length) : (argv.splice(flag, 1)[0] ?? "");
  }
  const entry = join(resolve(REPO_ROOT, tree), "04-kubectl", "kubectl", "main.ts");
  if (!existsSync(entry)) {
    process.stderr.write(`error: no kubectl at ${entry}: use --tree chapters or --tree solutions\n`);
    return 1;
  }
  const { run } = (await import(pathToFileURL(entry).href)) as { run: Run };
  // Later chapters add commands and resource names (07: label, annotate; 08: scale ...)
  // as a value: <chapter>/kubectl/index.ts exports `kubectlPlugin`, passed to run().
  const plugins: unknown[] = [];
  for (const chapter of CHAPTERS.filter((c) => c.number > "04")) {
    const file = join(resolve(REPO_ROOT, tree), chapter.slug, "kubectl", "index.ts");
    if (!existsSync(file)) continue;
    const { kubectlPlugin } = (await import(pathToFileURL(file).href)) as { kubectlPlugin?: unknown };
    if (kubectlPlugin) plugins.push(kubectlPlugin);
  }
  await trustLoopbackSecurePort(argv, tree);
  const abort = new AbortController();
  process.once("SIGINT", () => abort.abort()); // ends `get -w` cleanly
  return run(
    argv,
    { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, signal: abort.signal },
    plugins,
  );
}

/**
 * From chapter 11 on, the kubeconfig of `npm start` points at the apiserver's
 * secure port: TLS with a self-signed certificate, and insecure-skip-tls-verify.
 * Node's fetch has no per-request switch for that, so when the cluster this
 * run talks to is such a loopback https server, this process accepts its
 * certificate (and no other setting changes).
 */
async function trustLoopbackSecurePort(argv: string[], tree: string): Promise<void> {
  if (process.env.NODE_TLS_REJECT_UNAUTHORIZED !== undefined || argv.some((a) => a === "--server" || a.startsWith("--server=")))
    return;
  const flag = argv.findIndex((a) => a === "--kubeconfig" || a.startsWith("--kubeconfig="));
  const kubeconfigFile = join(resolve(REPO_ROOT, tree), "04-kubectl", "kubectl", "kubeconfig.ts");
  if (!existsSync(kubeconfigFile)) return;
  const { readKubeconfig, WORKSHOP_KUBECONFIG } = (await import(pathToFileURL(kubeconfigFile).href)) as {
    readKubeconfig(path: string): Promise<{ server: string }>;
    WORKSHOP_KUBECONFIG: string;
  };
  const path =
    flag >= 0
      ? argv[flag]!.includes("=")
        ? argv[flag]!.split("=")[1]
        : argv[flag + 1]
      : (process.env.KUBECONFIG?.split(":")[0] ?? WORKSHOP_KUBECONFIG);
  if (!path || !existsSync(path)) return;
  const text = readFileSync(path, "utf8");
  const server = await readKubeconfig(path).then(
    (s) => s.server,
    () => "",
  );
  if (/^https:\/\/(127\.0\.0\.1|localhost)(:\d+)?\/?$/.test(server) && /insecure-skip-tls-verify: true/.test(text)) {
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
    process.removeAllListeners("warning"); // Node would warn about the line above on every run
  }
}

main().then(
  (code) => {
    process.exitCode = code;
    // A watch or keep-alive socket must not keep the process alive after the answer.
    setTimeout(() => process.exit(code), 50).unref();
  },
  (err: unknown) => {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
