/**
 * kubectl get: list or fetch objects and print them.
 *
 * For tables kubectl does not decide the columns itself: it asks the server
 * for a Table (Accept: application/json;as=Table;v=v1;g=meta.k8s.io) and
 * prints the columns the server chose (READY, STATUS, RESTARTS for pods...).
 * A server that cannot make Tables answers a plain list: then NAME and AGE.
 */
import type { KubeObject, List, Table } from "../../../../shared/api/meta.ts";
import { apiVersionOf } from "../../client/resources.ts";
import { watch, type ObjectEvent } from "../../client/watch.ts";
import { UsageError } from "../args.ts";
import { targetsFromArgs, type Context, type Target } from "../context.ts";
import { formatError } from "../errors.ts";
import {
  fallbackTable,
  formatTable,
  fromServerTable,
  nameOf,
  toJson,
  toYaml,
  withLabelsColumn,
  type PrintableTable,
} from "../printers.ts";

export const TABLE_ACCEPT = "application/json;as=Table;v=v1;g=meta.k8s.io, application/json";

const OUTPUTS = ["wide", "json", "yaml", "name"];

export async function get(ctx: Context, args: string[]): Promise<number> {
  const output = ctx.flags.output;
  if (output !== undefined && !OUTPUTS.includes(output)) {
    throw new UsageError(
      `unable to match a printer suitable for the output format "${output}", allowed formats are: ${OUTPUTS.join(",")}`,
    );
  }
  const targets = targetsFromArgs(ctx, args);
  if (targets.length === 0) {
    throw new UsageError("You must specify the type of resource to get (kubectl get pods, kubectl get nodes, ...)");
  }
  if ((ctx.flags.selector || ctx.flags.fieldSelector) && targets.some((t) => t.names.length > 0)) {
    throw new UsageError("name cannot be provided when a selector is specified (kubectl get pods -l app=web)");
  }
  if (ctx.flags.watch && (targets.length > 1 || targets[0]!.names.length > 1)) {
    throw new UsageError("watch is only supported on one resource type and at most one name");
  }
  let status = 0;
  for (const target of targets) {
    if (output === "json" || output === "yaml" || output === "name") status |= await printObjects(ctx, target, output);
    else status |= await printTable(ctx, target);
  }
  return status;
}

/** Where to look: one namespace, all of them (-A), or none (cluster-scoped). */
function namespaceOf(ctx: Context, target: Target): string | undefined {
  if (!target.info.namespaced) return undefined;
  return ctx.flags.allNamespaces && target.names.length === 0 ? undefined : ctx.namespace;
}

/** -l and --field-selector, passed on to the server as query parameters (it does the filtering). */
function selectors(ctx: Context): { labelSelector?: string; fieldSelector?: string } {
  return { labelSelector: ctx.flags.selector, fieldSelector: ctx.flags.fieldSelector };
}

function noneFound(ctx: Context, target: Target): void {
  const where = target.info.namespaced && !ctx.flags.allNamespaces ? ` in ${ctx.namespace} namespace` : "";
  ctx.err(`No resources found${where}.\n`);
}

/** -o json | yaml | name: the objects themselves. */
async function printObjects(ctx: Context, target: Target, output: "json" | "yaml" | "name"): Promise<number> {
  const resource = ctx.client.resource<KubeObject>(target.info);
  const namespace = namespaceOf(ctx, target);
  const withType = (o: KubeObject): KubeObject => ({ apiVersion: apiVersionOf(target.info), kind: target.info.kind, ...o });
  const print = (value: KubeObject | List) => {
    if (output === "json") ctx.out(toJson(value));
    else if (output === "yaml") ctx.out(toYaml(value));
    else for (const o of "items" in value ? value.items : [value]) ctx.out(nameOf(target.info.singular, o) + "\n");
  };
  let items: KubeObject[] = [];
  let resourceVersion: string | undefined;
  let failed = 0;
  if (target.names.length === 0) {
    const list = await resource.list(namespace, selectors(ctx));
    items = list.items.map(withType);
    resourceVersion = list.metadata?.resourceVersion;
  } else {
    for (const name of target.names) {
      try {
        items.push(withType(await resource.get(name, namespace)));
      } catch (err) {
        ctx.err(formatError(err) + "\n");
        failed++;
      }
    }
  }
  if (target.names.length === 1 && items.length === 1) print(items[0]!);
  else if (items.length > 0) print({ apiVersion: "v1", kind: "List", metadata: { resourceVersion: "" }, items });
  else if (failed === 0 && !ctx.flags.watch) noneFound(ctx, target);
  if (ctx.flags.watch) {
    const watchFailed = await streamChanges(ctx, target, resourceVersion ?? items[0]?.metadata?.resourceVersion, undefined, (o) =>
      print(withType(o)),
    );
    return watchFailed || failed > 0 ? 1 : 0;
  }
  return failed > 0 ? 1 : 0;
}

/** The default output: a table. */
async function printTable(ctx: Context, target: Target): Promise<number> {
  const namespace = namespaceOf(ctx, target);
  const withNamespace = ctx.flags.allNamespaces && target.info.namespaced && target.names.length === 0;
  const wide = ctx.flags.output === "wide";
  const showLabels = ctx.flags.showLabels;
  const resource = ctx.client.resource<KubeObject>(target.info);
  const paths = target.names.length === 0 ? [resource.path(namespace)] : target.names.map((n) => resource.path(namespace, n));

  const combined: PrintableTable = { headers: [], rows: [] };
  let resourceVersion: string | undefined;
  let failed = 0;
  for (const path of paths) {
    let answer: Table | List | KubeObject;
    try {
      const query = target.names.length === 0 ? selectors(ctx) : {};
      answer = await ctx.client.request<Table | List | KubeObject>("GET", path, { accept: TABLE_ACCEPT, query });
    } catch (err) {
      if (target.names.length === 0) throw err;
      ctx.err(formatError(err) + "\n");
      failed++;
      continue;
    }
    const printable = toPrintable(answer, { wide, withNamespace, showLabels });
    resourceVersion = answer.metadata?.resourceVersion ?? resourceVersion;
    combined.headers = printable.headers;
    combined.rows.push(...printable.rows);
  }
  if (combined.rows.length > 0) ctx.out(formatTable(combined, ctx.colors, { noHeaders: ctx.flags.noHeaders }));
  else if (failed === 0) noneFound(ctx, target);

  if (ctx.flags.watch) {
    const headers =
      combined.headers.length > 0
        ? combined.headers
        : toPrintable({ kind: "List", metadata: {}, items: [] } as List, { withNamespace, showLabels }).headers;
    const widths = headers.map((h, i) => Math.max(h.length, ...combined.rows.map((r) => (r[i] ?? "").length)));
    const printRow = (printable: PrintableTable) => ctx.out(formatTable(printable, ctx.colors, { noHeaders: true, widths }));
    const watchFailed = await streamChanges(ctx, target, resourceVersion, TABLE_ACCEPT, (object) => {
      printRow(toPrintable(object, { wide, withNamespace, showLabels }));
    });
    return watchFailed || failed ? 1 : 0;
  }
  return failed > 0 ? 1 : 0;
}

/** The name of a watched object, or of the row of a one-row Table. */
function nameIn(object: KubeObject): string | undefined {
  if (object.kind !== "Table") return object.metadata?.name;
  return ((object as Table).rows[0]?.object as KubeObject | undefined)?.metadata?.name;
}

/** A Table from the server as it is; a list or a single object as NAME/AGE. With --show-labels, a LABELS column last. */
function toPrintable(
  answer: Table | List | KubeObject,
  options: { wide?: boolean; withNamespace?: boolean; showLabels?: boolean },
): PrintableTable {
  if (answer.kind === "Table") {
    const table = answer as Table;
    const printable = fromServerTable(table, options);
    return options.showLabels
      ? withLabelsColumn(
          printable,
          table.rows.map((row) => row.object as KubeObject | undefined),
        )
      : printable;
  }
  const items = "items" in answer && Array.isArray(answer.items) ? (answer.items as KubeObject[]) : [answer as KubeObject];
  const printable = fallbackTable(items, options);
  return options.showLabels ? withLabelsColumn(printable, items) : printable;
}

/**
 * -w: after the first answer, print every change until interrupted
 * (io.signal). Returns true if the watch ended with an error.
 */
async function streamChanges(
  ctx: Context,
  target: Target,
  resourceVersion: string | undefined,
  accept: string | undefined,
  print: (object: KubeObject) => void,
): Promise<boolean> {
  const name = target.names[0];
  let error: Error | undefined;
  const w = watch<KubeObject>(ctx.client.resource(target.info), {
    namespace: namespaceOf(ctx, target),
    resourceVersion,
    accept,
    ...(name ? {} : selectors(ctx)),
    onEvent: (event: ObjectEvent<KubeObject>) => {
      // Watching one name: the server sends the whole collection's changes
      // (field selectors come in chapter 07), so keep only that name's.
      if (name && nameIn(event.object) !== name) return;
      print(event.object);
    },
    onGone: (err) => (error = err),
    onError: (err) => {
      if (err.name === "ApiError") error = err; // an error answer ends the watch; connection problems retry
    },
  });
  const signal = ctx.io.signal;
  const onAbort = () => void w.stop();
  if (signal?.aborted) await w.stop();
  signal?.addEventListener("abort", onAbort, { once: true });
  await w.done;
  signal?.removeEventListener("abort", onAbort);
  if (error) ctx.err(formatError(error) + "\n");
  return error !== undefined;
}
