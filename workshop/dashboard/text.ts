/**
 * The cluster picture as plain text, for `npm run top`: the same picture as
 * the page, for a terminal over SSH or a learner without a browser.
 */
import type { ClusterPicture, PodCard, Usage } from "./picture.ts";

const cpu = (m: number) => (m >= 1000 ? `${(m / 1000).toFixed(1)}` : `${m}m`);
const mem = (b: number) => (b >= 2 ** 30 ? `${(b / 2 ** 30).toFixed(1)}Gi` : `${Math.round(b / 2 ** 20)}Mi`);
const usage = (u: Usage, format: (n: number) => string) => `${format(u.requested)}/${format(u.allocatable)}`;

/** Columns padded to their widest cell, two spaces apart. */
function table(rows: string[][], indent = ""): string[] {
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? "").length))) ?? [];
  return rows.map((r) => indent + r.map((cell, col) => (col === r.length - 1 ? cell : cell.padEnd(widths[col]!))).join("  "));
}

function podRow(p: PodCard): string[] {
  return [
    p.name,
    p.deleting ? "Terminating" : p.phase,
    p.ready,
    `restarts ${p.restarts}`,
    p.ip ?? "-",
    p.owner ?? "-",
    p.reason ?? "",
  ];
}

/** The picture in lines of text (no colour: the caller adds none, so a pipe gets the same). */
export function renderText(picture: ClusterPicture, error?: string): string {
  const out: string[] = [];
  const { cluster } = picture;
  const chapters = cluster.chapters.length ? ` · chapters ${cluster.chapters.join(" ")}` : "";
  out.push(`cluster: ${cluster.tree}${chapters} · serves ${cluster.kinds.join(", ")}${error ? ` · reconnecting: ${error}` : ""}`);
  out.push("");
  out.push(
    ...table([
      ["NODE", "STATE", "CPU", "MEMORY", "PODS", "TAINTS"],
      ...picture.nodes.map((n) => [
        n.name,
        n.state + (n.unschedulable ? ",SchedulingDisabled" : ""),
        usage(n.cpu, cpu),
        usage(n.memory, mem),
        String(n.pods.length),
        n.taints.join(",") || "-",
      ]),
    ]),
  );
  for (const node of picture.nodes) {
    if (node.pods.length === 0) continue;
    out.push("", `${node.name}:`, ...table(node.pods.map(podRow), "  "));
  }
  if (picture.unscheduled.length > 0) out.push("", "unscheduled:", ...table(picture.unscheduled.map(podRow), "  "));
  if (picture.workloads.length > 0) {
    out.push(
      "",
      "controllers:",
      ...table(
        picture.workloads.map((w) => [w.kind, `${w.namespace}/${w.name}`, `${w.ready}/${w.desired} ready`]),
        "  ",
      ),
    );
  }
  if (picture.services.length > 0) {
    out.push(
      "",
      "services:",
      ...table(
        picture.services.map((s) => [
          `${s.namespace}/${s.name}`,
          s.clusterIP ?? "-",
          s.ports,
          `-> ${s.endpoints.join(" ") || "no endpoints"}`,
        ]),
        "  ",
      ),
    );
  }
  const events = picture.events.slice(-5);
  if (events.length > 0) out.push("", "last events:", ...events.map((e) => `  ${e.type} ${e.reason} ${e.object}: ${e.message}`));
  return out.join("\n") + "\n";
}
