/**
 * Which host paths a pod may mount: the policy both the apiserver (at
 * admission, so a bad pod is never stored) and the kubelet (before it mounts
 * anything, in case a pod got in some other way) enforce.
 *
 * A hostPath volume hands a container a piece of the node's own filesystem.
 * Mount "/" and the container can read every secret on the node and rewrite
 * its binaries; mount /var/run/docker.sock and it can start a privileged
 * container of its own: either way, whoever may create such a pod owns the
 * node. So this cluster allows hostPath only below a few prefixes, by
 * default one folder the workshop owns:
 *
 *   <OS temp dir>/k8s-workshop-hostpath
 *
 * (Kubernetes itself leaves it to admission: Pod Security's "baseline" level
 * forbids hostPath volumes altogether; the older PodSecurityPolicy had
 * allowedHostPaths with path prefixes, much like this.)
 */
import { isAbsolute, join, normalize, sep } from "node:path";
import { tmpdir } from "node:os";
import { todo } from "../../../shared/todo.ts";

/** The folder hostPath volumes may use when nothing else is configured. */
export const DEFAULT_HOST_PATH_PREFIX = join(tmpdir(), "k8s-workshop-hostpath");

/** Where the cluster lets pods mount host paths. */
export interface HostPathPolicy {
  /** Absolute paths; a hostPath must be one of them or lie below one. */
  allowedPrefixes: string[];
}

export const DEFAULT_HOST_PATH_POLICY: HostPathPolicy = { allowedPrefixes: [DEFAULT_HOST_PATH_PREFIX] };

/**
 * Why `path` may not be mounted under `policy`, or undefined when it may.
 * The answer is a sentence for the user: it names the path and the allowed prefixes.
 */
export function hostPathViolation(path: string, policy: HostPathPolicy): string | undefined {
  // TODO(06.3): why `path` may not be mounted (a sentence naming it and what
  // to do instead), or undefined. Only absolute paths below an allowed
  // prefix, and none that can climb out of it. Tests: "06.3 hostPath policy > ...", "06.5 the apiserver > ...".
  todo("06.3");
}

/**
 * Is `path` the folder `prefix` or inside it? Compares whole path elements:
 * /tmp/data is within /tmp, /tmp/data-evil is not within /tmp/data.
 */
export function isWithin(path: string, prefix: string): boolean {
  const p = stripSeparator(normalize(path));
  const base = stripSeparator(normalize(prefix));
  if (base === "") return true; // the prefix is "/" itself: everything is within it
  return p === base || p.startsWith(base + sep);
}

function stripSeparator(path: string): string {
  return path.endsWith(sep) ? path.slice(0, -1) : path;
}
