/**
 * Which backend an HTTP request goes to: the Ingress rules' host and path
 * matching (kubernetes.io, "Ingress": path types, multiple matches, hostname
 * wildcards).
 *
 *   Exact                   the path, exactly (case matters)
 *   Prefix                  element by element, split on "/": /foo matches /foo and /foo/bar, not /foobar;
 *                           a trailing "/" on either side does not count
 *   ImplementationSpecific  the controller decides; here a plain string prefix, as many proxies do
 *
 *   host "a.example"        only that host (without the port, case does not matter)
 *   host "*.example"        one more label in front: b.example matches, a.b.example and example do not
 *   no host                 any host
 */
import type { HTTPIngressPath, Ingress, IngressBackend } from "../../../shared/api/networking.ts";

/** Where a request goes: a backend, and the Ingress that named it (its namespace finds the Service). */
export interface Route {
  ingress: Ingress;
  backend: IngressBackend;
}

/** "a.example:8080" -> "a.example"; lower case. */
export function hostOf(header: string | undefined): string {
  const host = (header ?? "").trim().toLowerCase();
  return host.startsWith("[") ? host : host.replace(/:\d+$/, "");
}

/** Whether a rule's host admits a request's host. */
export function hostMatches(ruleHost: string | undefined, host: string): boolean {
  if (!ruleHost) return true;
  if (!ruleHost.startsWith("*.")) return ruleHost === host;
  const suffix = ruleHost.slice(1); // ".example"
  return host.endsWith(suffix) && !host.slice(0, -suffix.length).includes(".") && host.length > suffix.length;
}

// STEP(14.5): whether `p` admits the request path `path` (the URL's path,
// without its query). The three path types are above; a Prefix of "/"
// admits every path. Tests: "14.5 paths > ...".
export function pathMatches(p: HTTPIngressPath, path: string): boolean {
  //#solution
  const rulePath = p.path ?? "/";
  if (p.pathType === "Exact") return path === rulePath;
  if (p.pathType === "ImplementationSpecific") return path.startsWith(rulePath);
  const want = rulePath.split("/").filter((s) => s !== "");
  const got = path.split("/").filter((s) => s !== "");
  return want.length <= got.length && want.every((segment, i) => segment === got[i]);
  //#end
}

// STEP(14.5): pick the backend of a request among all `ingresses` (already
// those of this controller's class). Of the paths that match, across every
// rule whose host admits `host`, the longest path wins (the longest `path`
// string, as written); between two of the same length, Exact beats Prefix
// and ImplementationSpecific. A rule with an exact host beats a
// wildcard rule, which beats a rule without host, whatever their paths.
// No path matches: the first defaultBackend (ingresses in the order given);
// none: undefined (the controller answers 404).
// Tests: "14.5 routing > ...".
export function route(ingresses: readonly Ingress[], host: string, path: string): Route | undefined {
  //#solution
  const compareRanks = (a: number[], b: number[]) => a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]!;
  const hostRank = (ruleHost: string | undefined) => (!ruleHost ? 0 : ruleHost.startsWith("*.") ? 1 : 2);
  let best: { route: Route; rank: [number, number, number] } | undefined;
  for (const ingress of ingresses) {
    for (const rule of ingress.spec?.rules ?? []) {
      if (!hostMatches(rule.host, host)) continue;
      for (const p of rule.http?.paths ?? []) {
        if (!pathMatches(p, path)) continue;
        const rank: [number, number, number] = [hostRank(rule.host), (p.path ?? "/").length, p.pathType === "Exact" ? 1 : 0];
        if (!best || compareRanks(rank, best.rank) > 0) best = { route: { ingress, backend: p.backend }, rank };
      }
    }
  }
  if (best) return best.route;
  const fallback = ingresses.find((i) => i.spec?.defaultBackend);
  return fallback ? { ingress: fallback, backend: fallback.spec!.defaultBackend! } : undefined;
  //#end
}
