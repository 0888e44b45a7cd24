/**
 * Content negotiation: what the client wants back. `kubectl get` sends
 *   Accept: application/json;as=Table;v=v1;g=meta.k8s.io,application/json
 * meaning "a Table if you can, else the plain objects".
 */
import { notAcceptable } from "../../../shared/api/index.ts";

export type Representation = "object" | "table" | "metadata";

interface MediaRange {
  type: string;
  params: Record<string, string>;
}

function parseAccept(header: string): MediaRange[] {
  return header
    .split(",")
    .map((part) => {
      const [type, ...params] = part.split(";").map((s) => s.trim());
      const p: Record<string, string> = {};
      for (const kv of params) {
        const i = kv.indexOf("=");
        if (i > 0) p[kv.slice(0, i).toLowerCase()] = kv.slice(i + 1);
      }
      return { type: (type ?? "").toLowerCase(), params: p };
    })
    .filter((m) => m.type !== "");
}

/** Picks the first representation we can serve, in the client's order. */
export function negotiate(accept: string | undefined): Representation {
  if (!accept || accept.trim() === "") return "object";
  const ranges = parseAccept(accept);
  for (const m of ranges) {
    const jsonish =
      m.type === "application/json" || m.type === "application/yaml" || m.type === "*/*" || m.type === "application/*";
    if (!jsonish) continue;
    const as = m.params.as;
    if (as === undefined) return "object";
    if (m.params.g === "meta.k8s.io" && (m.params.v === "v1" || m.params.v === "v1beta1")) {
      if (as === "Table") return "table";
      if (as === "PartialObjectMetadata" || as === "PartialObjectMetadataList") return "metadata";
    }
  }
  if (ranges.some((m) => m.type === "application/vnd.kubernetes.protobuf")) return "object";
  throw notAcceptable(
    `only the following media types are accepted: application/json, application/yaml, application/json;as=Table;v=v1;g=meta.k8s.io (asked for: ${accept.slice(0, 200)})`,
  );
}
