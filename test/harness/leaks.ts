/**
 * What the global teardown (global-setup.ts) says about the Docker objects a
 * test run left behind: undefined when there were none.
 *
 * A leak fails the run: the teardown prints this and sets the exit code.
 * (An error thrown by a global teardown is printed by vitest, but the run
 * still exits 0, so CI would pass with a leak.)
 */
import type { Removed } from "../../shared/docker.ts";

export function leakReport(removed: Removed): string | undefined {
  const gone = [...removed.containers.map((c) => `container ${c}`), ...removed.networks.map((n) => `network ${n}`)];
  // An object Docker refused to remove is leaked too, and still there: say so, not "removed".
  const stuck = removed.failed;
  const count = gone.length + stuck.length;
  if (count === 0) return undefined;
  const parts = [
    gone.length > 0 ? `now removed: ${gone.join(", ")}` : "",
    stuck.length > 0 ? `still there (restart the Docker engine to clear them): ${stuck.join(", ")}` : "",
  ];
  return `test teardown: this run left ${count} Docker object(s) behind; ` + parts.filter(Boolean).join("; ");
}
