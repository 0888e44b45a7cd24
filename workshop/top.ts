/**
 * `npm run top`: the dashboard's picture in the terminal. On a terminal it
 * redraws after every change (watch events, no polling) until Ctrl-C; in a
 * pipe or a file it prints one picture and exits.
 *
 *   npm run top                        the cluster of npm start (.kube/config)
 *   npm run top -- --kubeconfig FILE   another cluster
 *   npm run top -- --server URL        a cluster without authentication
 */
import { existsSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { readKubeconfig, WORKSHOP_KUBECONFIG } from "../solutions/04-kubectl/kubectl/kubeconfig.ts";
import { ClusterFeed } from "./dashboard/feed.ts";
import { renderText } from "./dashboard/text.ts";
import { UserError } from "./ui.ts";

export const TOP_USAGE = `usage: npm run top [-- --kubeconfig FILE | --server URL]
  Shows the nodes and their pods, controllers, services and the last events.
  On a terminal it redraws on every change until Ctrl-C; in a pipe it prints once.
  --kubeconfig FILE   the cluster to show (default $KUBECONFIG, else .kube/config of npm start)
  --server URL        an apiserver without authentication, e.g. http://127.0.0.1:8080`;

export async function top(argv: string[], out: NodeJS.WriteStream = process.stdout): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: { kubeconfig: { type: "string" }, server: { type: "string" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    out.write(`${TOP_USAGE}\n`);
    return;
  }
  const client = values.server ? { server: values.server } : await fromKubeconfig(values.kubeconfig);
  // Another process runs the cluster: which chapters it has, top cannot know; the served kinds say enough.
  const feed = new ClusterFeed({ cluster: { tree: client.server, chapters: [] } });
  try {
    await feed.start(client);
  } catch (err) {
    await feed.stop();
    throw new UserError(
      `cannot reach the apiserver at ${client.server}: ${(err as Error).message} (is the cluster up? npm start)`,
    );
  }
  if (!out.isTTY) {
    out.write(renderText(feed.picture(), feed.lastError));
    await feed.stop();
    return;
  }
  const draw = () => out.write(`\u001b[H\u001b[2J${renderText(feed.picture(), feed.lastError)}\n(Ctrl-C to quit)\n`);
  draw();
  feed.onChange(draw);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await feed.stop();
}

/**
 * Server and token from a kubeconfig. The kubeconfig of npm start points at
 * the apiserver's loopback TLS port with a self-signed certificate and
 * insecure-skip-tls-verify: for that case only, this process accepts it.
 */
async function fromKubeconfig(path = process.env.KUBECONFIG?.split(":")[0] ?? WORKSHOP_KUBECONFIG) {
  if (!existsSync(path))
    throw new UserError(`no kubeconfig at ${path}: start the cluster first (npm start), or pass --server URL`);
  const settings = await readKubeconfig(path);
  const loopbackTls = /^https:\/\/(127\.0\.0\.1|localhost)(:\d+)?\/?$/.test(settings.server);
  if (loopbackTls && /insecure-skip-tls-verify: true/.test(readFileSync(path, "utf8"))) {
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
    process.removeAllListeners("warning"); // Node would warn about the line above on every run
  }
  return { server: settings.server, token: settings.token };
}
