/**
 * A cluster log that notices a starter's todo().
 *
 * Controllers and kubelets catch the errors of a sync and try again later
 * (they must keep running), so a step not written yet shows up only in the
 * cluster's log: "sync default/web: not implemented yet: TODO(13.4) ...".
 * A wait whose probe calls failOnTodo() then fails at once with that step,
 * instead of waiting out its deadline (or a `kubectl rollout status
 * --timeout`). On a complete tree no such line is ever logged.
 */
import { NotImplementedError } from "../../shared/todo.ts";

export interface TodoLog {
  /** Pass as the cluster's `log`. */
  log(line: string): void;
  /** Throws the first todo() the cluster logged, if any. */
  failOnTodo(): void;
}

export function todoLog(echo?: (line: string) => void): TodoLog {
  let seen: NotImplementedError | undefined;
  return {
    log(line) {
      echo?.(line);
      const step = /not implemented yet: TODO\((\d+\.\d+)\)/.exec(line)?.[1];
      if (step && !seen) seen = new NotImplementedError(step);
    },
    failOnTodo() {
      if (seen) throw seen;
    },
  };
}
