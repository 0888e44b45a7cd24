/**
 * Try it (chapters 03 and 04): only the store (02) and the apiserver (03),
 * from your own code, on http://127.0.0.1:8080. `npm start` brings up every
 * chapter; this starts just the two you need for chapters 03 and 04.
 *
 *   npx tsx examples/apiserver.ts                  # your code (chapters/)
 *   npx tsx examples/apiserver.ts solutions        # the reference
 *   npx tsx examples/apiserver.ts --port 8081      # another port
 *
 * The store lives in memory: Ctrl-C stops the server and forgets everything.
 */
import { resolve } from "node:path";
import { startClusterFromTree } from "../shared/cluster/index.ts";

const args = process.argv.slice(2);
const tree = args.includes("solutions") ? "solutions" : "chapters";
const portFlag = args.indexOf("--port");
const port = portFlag >= 0 ? Number(args[portFlag + 1]) : 8080;
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a port number, not "${args[portFlag + 1]}"`);
  process.exit(2);
}

try {
  const cluster = await startClusterFromTree({ tree: resolve(import.meta.dirname, "..", tree), upTo: "03", port });
  console.log(`apiserver (${tree}/): ${cluster.url}`);
  console.log(`  curl ${cluster.url}/api/v1/namespaces/default/pods`);
  console.log(`  kubectl --server ${cluster.url} get pods`);
  console.log("Ctrl-C stops it.");
  process.once("SIGINT", () => void cluster.close().then(() => process.exit(0)));
} catch (err) {
  const code = (err as NodeJS.ErrnoException).code;
  console.error(
    code === "EADDRINUSE" ? `port ${port} is taken: try --port 8081` : `the apiserver did not start: ${(err as Error).message}`,
  );
  process.exit(1);
}
