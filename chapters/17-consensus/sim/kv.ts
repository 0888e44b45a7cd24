/**
 * The simulator's state machine: a map from keys to values (given code:
 * skim). Commands are JSON: {"key":"x","value":"c1-4"}.
 */
import type { Entry, StateMachine } from "../raft/types.ts";

export class KvMachine implements StateMachine {
  values = new Map<string, string>();

  apply(entry: Entry): unknown {
    const { key, value } = JSON.parse(entry.command) as { key: string; value: string };
    this.values.set(key, value);
    return value;
  }

  get(key: string): string | null {
    return this.values.get(key) ?? null;
  }

  snapshot(): string {
    return JSON.stringify([...this.values]);
  }

  restore(data: string): void {
    this.values = new Map(JSON.parse(data) as [string, string][]);
  }
}
