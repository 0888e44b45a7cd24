/**
 * kubectl logs POD [-c CONTAINER]: the log subresource of a pod,
 * GET /api/v1/namespaces/{ns}/pods/{name}/log. The kubelet (chapter 05)
 * serves the text; the apiserver passes it on.
 */
import { PODS } from "../../client/resources.ts";
import { resourcePath } from "../../client/rest.ts";
import { UsageError } from "../args.ts";
import type { Context } from "../context.ts";

export async function logs(ctx: Context, args: string[]): Promise<number> {
  const [target, container, ...rest] = args;
  if (!target || rest.length > 0) throw new UsageError("expected a pod name: kubectl logs POD [CONTAINER]");
  const name = target.replace(/^(pods?|po)\//, "");
  const path = resourcePath(PODS, { namespace: ctx.namespace, name, subresource: "log" });
  const res = await ctx.client.send("GET", path, { query: { container }, accept: "text/plain, */*", signal: ctx.io.signal });
  const decoder = new TextDecoder();
  try {
    for await (const chunk of res.body) ctx.out(decoder.decode(chunk, { stream: true }));
  } catch (err) {
    if (!ctx.io.signal?.aborted) throw err;
  }
  return 0;
}
