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
import { todo } from "../../../shared/todo.ts";

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

// TODO(14.5): whether `p` admits the request path `path` (the URL's path,
// without its query). The three path types are above; a Prefix of "/"
// admits every path. Tests: "14.5 paths > ...".
export function pathMatches(p: HTTPIngressPath, path: string): boolean {
  todo("14.5");
}

// TODO(14.5): pick the backend of a request among all `ingresses` (already
// those of this controller's class). Of the paths that match, across every
// rule whose host admits `host`, the longest path wins (the longest `path`
// string, as written); between two of the same length, Exact beats Prefix
// and ImplementationSpecific. A rule with an exact host beats a
// wildcard rule, which beats a rule without host, whatever their paths.
// No path matches: the first defaultBackend (ingresses in the order given);
// none: undefined (the controller answers 404).
// Tests: "14.5 routing > ...".
export function route(ingresses: readonly Ingress[], host: string, path: string): Route | undefined {
  todo("14.5");
}
