/**
 * Chapter 02's key space as Raft's state machine (given code: skim it).
 *
 * Every replica applies the same commands in the same log order, so every
 * replica computes the same revisions, the same compare-and-swap outcomes
 * and the same watch events. That is why resourceVersion still means one
 * thing across the cluster.
 */
import { KeySpace } from "../../02-etcd/mvcc.ts";
import { WatchHub } from "../../02-etcd/watch.ts";
import { isStoreError, StoreError, type KeyValue, type StoreErrorCode } from "../../../shared/store/types.ts";
import type { Entry, StateMachine } from "../raft/types.ts";

/** A write, as it travels in the log. */
export type StoreCommand =
  | { op: "create"; key: string; value: string }
  | { op: "update"; key: string; value: string; expectedModRevision?: number }
  | { op: "delete"; key: string; expectedModRevision?: number }
  | { op: "compact"; revision: number };

/** What applying a command gave: the key-value, or the StoreError every replica agreed on. */
export type StoreOutcome =
  { ok: true; kv?: KeyValue } | { ok: false; code: StoreErrorCode; message: string; compactRevision?: number };

export class StoreMachine implements StateMachine {
  kv = new KeySpace();
  /** This replica's watchers: they see events as the replica applies them. */
  hub = new WatchHub(0);

  apply(entry: Entry): StoreOutcome {
    const command = JSON.parse(entry.command) as StoreCommand;
    try {
      if (command.op === "compact") {
        this.kv.compact(command.revision);
        return { ok: true };
      }
      const event =
        command.op === "create"
          ? this.kv.create(command.key, command.value)
          : command.op === "update"
            ? this.kv.update(command.key, command.value, command.expectedModRevision)
            : this.kv.delete(command.key, command.expectedModRevision);
      this.hub.notify([event]);
      return { ok: true, kv: command.op === "delete" ? event.prevKv! : event.kv };
    } catch (err) {
      // A refused write is an outcome too: every replica refuses it the same way.
      if (isStoreError(err)) {
        return {
          ok: false,
          code: err.code,
          message: err.message,
          ...(err.compactRevision === undefined ? {} : { compactRevision: err.compactRevision }),
        };
      }
      throw err;
    }
  }

  snapshot(): string {
    return JSON.stringify(this.kv.state());
  }

  restore(data: string): void {
    this.kv = KeySpace.fromState(JSON.parse(data));
    // Watchers of this replica missed what the snapshot skipped: end them, they watch again.
    this.hub.closeAll(new StoreError("Closed", "this replica installed a snapshot: watch again from your last revision"));
    this.hub = new WatchHub(this.kv.revision);
  }
}

/** Turns an outcome back into the Store interface's answer. */
export function fromOutcome(outcome: StoreOutcome): KeyValue {
  if (!outcome.ok) throw new StoreError(outcome.code, outcome.message, outcome.compactRevision);
  return outcome.kv!;
}
