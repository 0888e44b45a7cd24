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
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { CHAPTERS, REPO_ROOT } from "../shared/chapters.ts";

type Run = (argv: string[], io: Record<string, unknown>) => Promise<number>;

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
  // in <chapter>/kubectl/index.ts, which registers them when imported.
  for (const chapter of CHAPTERS.filter((c) => c.number > "04")) {
    const plugin = join(resolve(REPO_ROOT, tree), chapter.slug, "kubectl", "index.ts");
    if (existsSync(plugin)) await import(pathToFileURL(plugin).href);
  }
  const abort = new AbortController();
  process.once("SIGINT", () => abort.abort()); // ends `get -w` cleanly
  return run(argv, { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, signal: abort.signal });
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
