/**
 * Events: short reports of what happened to an object ("Scheduled",
 * "Pulled", "Killing", "FailedScheduling"), written by components and shown
 * by `kubectl describe` and `kubectl get events`.
 */
import { age, field, type Event } from "../../../../shared/api/index.ts";
import * as schemas from "../../../../shared/api/schema/core.ts";
import { column, nameColumn } from "../../table/table.ts";
import type { ResourceDefinition } from "../types.ts";

function lastSeen(e: Event, now: Date): string {
  const t = e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp ?? undefined;
  return age(t ?? undefined, now);
}

export const events: ResourceDefinition = {
  group: "",
  version: "v1",
  kind: "Event",
  plural: "events",
  singular: "event",
  shortNames: ["ev"],
  scope: "Namespaced",
  schema: schemas.event,
  description: "Event is a report of an event somewhere in the cluster.",
  strategy: {
    validate(obj) {
      const e = obj as unknown as Event;
      if (!e.involvedObject) return [field.required("involvedObject")];
      const ns = e.involvedObject.namespace;
      if (ns && ns !== e.metadata?.namespace)
        return [field.invalid("involvedObject.namespace", ns, "does not match event.namespace")];
      return [];
    },
  },
  table: {
    columns: [
      column("Last Seen", "When the event last happened."),
      column("Type", "Normal or Warning."),
      column("Reason", "Why the event happened, in one CamelCase word."),
      column("Object", "The object the event is about."),
      column("Subobject", "The part of the object (a container).", 1),
      column("Source", "The component that reported the event.", 1),
      column("Message", "What happened."),
      column("First Seen", "When the event first happened.", 1),
      column("Count", "How many times it happened.", 1),
      { ...nameColumn(), priority: 1 },
    ],
    cells(obj, now) {
      const e = obj as unknown as Event;
      const o = e.involvedObject ?? {};
      const source = [e.source?.component ?? e.reportingComponent, e.source?.host].filter(Boolean).join(", ");
      return [
        lastSeen(e, now),
        e.type ?? "",
        e.reason ?? "",
        `${(o.kind ?? "").toLowerCase()}/${o.name ?? ""}`,
        o.fieldPath ?? "",
        source,
        e.message ?? "",
        age(e.firstTimestamp ?? e.metadata?.creationTimestamp ?? undefined, now),
        e.count ?? 1,
        e.metadata?.name ?? "",
      ];
    },
  },
};
