/**
 * kubectl describe: a readable summary of objects, followed by the Events
 * that concern them (what the scheduler, kubelet and controllers reported).
 */
import type { KubeObject } from "../../../../shared/api/meta.ts";
import { EVENTS } from "../../client/resources.ts";
import { UsageError } from "../args.ts";
import { manifestsFromFlags, targetsFromArgs, type Context } from "../context.ts";
import { describeObject, field } from "../describe.ts";
import { formatError } from "../errors.ts";
import { age, formatTable } from "../printers.ts";
import type { ResourceInfo } from "../resources.ts";

export async function describe(ctx: Context, args: string[]): Promise<number> {
  const wanted: Array<{ info: ResourceInfo; name?: string; namespace: string | undefined }> = [];
  if (ctx.flags.filenames.length > 0) {
    for (const m of await manifestsFromFlags(ctx))
      wanted.push({ info: m.info, name: m.object.metadata?.name, namespace: m.namespace });
  } else {
    const targets = targetsFromArgs(ctx, args);
    if (targets.length === 0)
      throw new UsageError("You must specify the type of resource to describe (kubectl describe pod NAME)");
    for (const { info, names } of targets) {
      const namespace = info.namespaced ? ctx.namespace : undefined;
      if (names.length === 0) wanted.push({ info, namespace });
      for (const name of names) wanted.push({ info, name, namespace });
    }
  }

  const objects: KubeObject[] = [];
  let failed = 0;
  for (const { info, name, namespace } of wanted) {
    const resource = ctx.client.resource<KubeObject>(info);
    try {
      const found = name === undefined ? (await resource.list(namespace)).items : [await resource.get(name, namespace)];
      objects.push(...found.map((o) => ({ kind: info.kind, ...o })));
    } catch (err) {
      ctx.err(formatError(err) + "\n");
      failed++;
    }
  }
  if (objects.length === 0 && failed === 0) ctx.err(`No resources found in ${ctx.namespace} namespace.\n`);

  const events = objects.length > 0 ? await listEvents(ctx) : [];
  ctx.out(objects.map((o) => [...describeObject(o, ctx.describers), ...eventLines(ctx, o, events)].join("\n") + "\n").join("\n"));
  return failed > 0 ? 1 : 0;
}

interface EventLike extends KubeObject {
  involvedObject?: { kind?: string; name?: string; namespace?: string; uid?: string };
  reason?: string;
  message?: string;
  type?: string;
  count?: number;
  source?: { component?: string; host?: string };
  reportingController?: string;
  firstTimestamp?: string;
  lastTimestamp?: string;
  eventTime?: string;
}

/** Every event of the cluster (the server may not filter by field yet: we filter here). */
async function listEvents(ctx: Context): Promise<EventLike[]> {
  try {
    return (await ctx.client.resource<EventLike>(EVENTS).list()).items;
  } catch {
    return []; // events are a courtesy: describe still works without them
  }
}

function eventLines(ctx: Context, object: KubeObject, events: EventLike[]): string[] {
  const { uid, name, namespace } = object.metadata ?? {};
  const mine = events.filter((e) => {
    const io = e.involvedObject ?? {};
    if (uid && io.uid) return io.uid === uid;
    return io.kind === object.kind && io.name === name && (io.namespace ?? "") === (namespace ?? "");
  });
  if (mine.length === 0) return field("Events", "<none>");
  const when = (e: EventLike) => e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp;
  mine.sort((a, b) => Date.parse(when(a) ?? "") - Date.parse(when(b) ?? ""));
  const rows = mine.map((e) => [
    e.type ?? "Normal",
    e.reason ?? "",
    age(when(e)) + ((e.count ?? 1) > 1 ? ` (x${e.count})` : ""),
    e.source?.component ? [e.source.component, e.source.host].filter(Boolean).join(", ") : (e.reportingController ?? ""),
    e.message ?? "",
  ]);
  const table = formatTable({ headers: ["Type", "Reason", "Age", "From", "Message"], rows }, ctx.colors);
  return [
    "Events:",
    ...table
      .trimEnd()
      .split("\n")
      .map((line) => "  " + line),
  ];
}
