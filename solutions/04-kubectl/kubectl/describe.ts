/**
 * Describers turn one object into the human summary `kubectl describe`
 * prints. A kind without its own describer gets the generic one (metadata,
 * then spec and status as indented fields). A later chapter adds a
 * describer for its kind in its kubectl plugin (plugin.ts).
 */
import type { KubeObject } from "../../../shared/api/meta.ts";
import { age } from "./printers.ts";

/** A describer returns lines ("Key:  value", indented with two spaces per level). */
export type Describer = (object: KubeObject) => string[];

/** Describers by kind (chapter 04's CORE_DESCRIBERS and the plugins'); any other kind gets the generic one. */
export function describeObject(object: KubeObject, describers: ReadonlyMap<string, Describer>): string[] {
  return (describers.get(object.kind ?? "") ?? genericDescriber)(object);
}

type Fields = Record<string, unknown>;
const fields = (value: unknown): Fields => (typeof value === "object" && value !== null ? (value as Fields) : {});

/** "a=b, c=d" one per line, or <none>. */
function keyValues(map: Record<string, string> | undefined): string[] {
  const entries = Object.entries(map ?? {});
  return entries.length === 0 ? ["<none>"] : entries.map(([k, v]) => `${k}=${v}`);
}

/** Aligned "Label:  value" lines; a multi-value field continues on indented lines. */
export function field(label: string, value: string | string[], indent = 0): string[] {
  const pad = " ".repeat(indent);
  const values = Array.isArray(value) ? value : [value];
  const head = `${pad}${label}:`.padEnd(Math.max(indent + 16, pad.length + label.length + 2));
  return values.map((v, i) => (i === 0 ? head : " ".repeat(head.length)) + v);
}

export function metadataLines(object: KubeObject): string[] {
  const meta = object.metadata ?? {};
  return [
    ...field("Name", meta.name ?? ""),
    ...(meta.namespace ? field("Namespace", meta.namespace) : []),
    ...field("Labels", keyValues(meta.labels)),
    ...field("Annotations", keyValues(meta.annotations)),
    ...field("Created", meta.creationTimestamp ? `${meta.creationTimestamp} (${age(meta.creationTimestamp)} ago)` : "<unknown>"),
    ...(meta.deletionTimestamp ? field("Deleting since", meta.deletionTimestamp) : []),
  ];
}

/** Nested fields as indented "Key: value" lines, lists as "- " items. */
export function nested(value: unknown, indent: number): string[] {
  const pad = " ".repeat(indent);
  if (Array.isArray(value)) {
    if (value.length === 0) return [`${pad}<none>`];
    return value.flatMap((item) => {
      if (typeof item !== "object" || item === null) return [`${pad}- ${String(item)}`];
      const [first = "", ...rest] = nested(item, indent + 2);
      return [`${pad}- ${first.trimStart()}`, ...rest];
    });
  }
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).flatMap(([key, v]) => {
      const label = key.charAt(0).toUpperCase() + key.slice(1);
      if (typeof v === "object" && v !== null) return [`${pad}${label}:`, ...nested(v, indent + 2)];
      return [`${pad}${label}:  ${String(v)}`];
    });
  }
  return [`${pad}${String(value)}`];
}

function genericDescriber(object: KubeObject): string[] {
  const o = fields(object);
  const lines = metadataLines(object);
  for (const section of ["spec", "status", "data"]) {
    if (o[section] !== undefined) lines.push(`${section.charAt(0).toUpperCase()}${section.slice(1)}:`, ...nested(o[section], 2));
  }
  return lines;
}

/** Pods: where they run, their containers and their state, like kubectl. */
function podDescriber(pod: KubeObject): string[] {
  const spec = fields(fields(pod).spec);
  const status = fields(fields(pod).status);
  const statuses = new Map(
    (Array.isArray(status.containerStatuses) ? status.containerStatuses : []).map((s) => [fields(s).name as string, fields(s)]),
  );
  const lines = [
    ...metadataLines(pod),
    ...field("Node", String(spec.nodeName ?? "<none>")),
    ...field("Status", String(status.phase ?? "Unknown")),
    ...field("IP", String(status.podIP ?? "<none>")),
    "Containers:",
  ];
  for (const container of Array.isArray(spec.containers) ? spec.containers.map(fields) : []) {
    const state = statuses.get(String(container.name));
    const stateName = Object.keys(fields(state?.state))[0];
    lines.push(`  ${String(container.name)}:`);
    lines.push(...field("Image", String(container.image ?? ""), 4));
    if (Array.isArray(container.command)) lines.push(...field("Command", container.command.map(String), 4));
    if (Array.isArray(container.ports)) {
      lines.push(
        ...field(
          "Ports",
          container.ports.map((p) => `${String(fields(p).containerPort)}/${String(fields(p).protocol ?? "TCP")}`).join(", "),
          4,
        ),
      );
    }
    lines.push(...field("State", stateName ? stateName.charAt(0).toUpperCase() + stateName.slice(1) : "Waiting", 4));
    lines.push(...field("Ready", String(state?.ready ?? false), 4));
    lines.push(...field("Restart Count", String(state?.restartCount ?? 0), 4));
  }
  const conditions = Array.isArray(status.conditions) ? status.conditions.map(fields) : [];
  if (conditions.length > 0) {
    lines.push("Conditions:", "  Type              Status");
    for (const c of conditions) lines.push(`  ${String(c.type).padEnd(18)}${String(c.status)}`);
  }
  if (Array.isArray(spec.volumes) && spec.volumes.length > 0) lines.push("Volumes:", ...nested(spec.volumes, 2));
  return lines;
}

/** The describers of this chapter, by kind. */
export const CORE_DESCRIBERS: Readonly<Record<string, Describer>> = { Pod: podDescriber };
