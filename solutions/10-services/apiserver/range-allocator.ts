/**
 * A range allocator: hands out values from a range (cluster IPs, node ports)
 * so that no two Services ever get the same one, and keeps what it handed out
 * in the store, so an apiserver restart forgets nothing.
 *
 * Every allocated value is one key in the store, holding who has it:
 *
 *   /registry/serviceips/10.96.0.12        {"namespace":"default","name":"web"}
 *   /registry/servicenodeports/30080       {"namespace":"default","name":"web"}
 *
 * The store's create() fails when the key exists ("KeyExists"): that is the
 * whole locking story. Two apiservers (or two requests) racing for the same
 * value both try to create its key, and exactly one wins. Kubernetes does
 * the same since 1.31 with one IPAddress object per cluster IP (before, it
 * kept a bitmap of the range in one key, written with compare-and-swap).
 */
import { isStoreError, type Store } from "../../../shared/store/types.ts";

/** Who holds a value: the Service, by namespace and name. */
export interface Owner {
  namespace: string;
  name: string;
}

/** A contiguous range of integers [first, last], with how to write them ("10.96.0.12", "30080"). */
export interface IntRange {
  first: number;
  last: number;
  format(value: number): string;
  /** The range as a user writes it, for error messages: "10.96.0.0/16", "30000-32767". */
  description: string;
}

/** Why an allocation failed: the value is not in the range, is taken, or the range is full. */
export class AllocationError extends Error {
  override readonly name = "AllocationError";
  constructor(
    readonly reason: "OutOfRange" | "Taken" | "Full",
    message: string,
  ) {
    super(message);
  }
}

export class RangeAllocator {
  constructor(
    private readonly store: Store,
    /** The store prefix of this range's keys, e.g. "/registry/serviceips/". */
    private readonly prefix: string,
    readonly range: IntRange,
    /** Where to start looking for a free value (tests pin it). Default: random. */
    private readonly pickStart: (size: number) => number = (size) => Math.floor(Math.random() * size),
  ) {}

  get size(): number {
    return this.range.last - this.range.first + 1;
  }

  contains(value: number): boolean {
    return Number.isInteger(value) && value >= this.range.first && value <= this.range.last;
  }

  private key(value: number): string {
    return this.prefix + this.range.format(value);
  }

  // STEP(10.1): reserve exactly `value`, atomically: the store's create-only
  // write decides between two racing requests. Use Kubernetes' messages:
  //   `provided ${what} is not in the valid range. The range of valid ${what}s is ${this.range.description}`
  //   `provided ${what} is already allocated`
  async allocate(value: number, owner: Owner, what = "value"): Promise<void> {
    //#solution
    if (!this.contains(value)) {
      throw new AllocationError("OutOfRange", `provided ${what} is not in the valid range. The range of valid ${what}s is ${this.range.description}`);
    }
    try {
      await this.store.create(this.key(value), JSON.stringify(owner));
    } catch (err) {
      if (isStoreError(err, "KeyExists")) throw new AllocationError("Taken", `provided ${what} is already allocated`);
      throw err;
    }
    //#end
  }

  // STEP(10.1): any free value. Another request may take it between your read
  // and your write: that is not an error, try the next one. Start at
  // pickStart(), so a value just released is not handed out again at once.
  async allocateNext(owner: Owner, what = "value"): Promise<number> {
    //#solution
    const taken = new Set((await this.store.range(this.prefix)).kvs.map((kv) => kv.key));
    const start = this.pickStart(this.size);
    for (let i = 0; i < this.size; i++) {
      const value = this.range.first + ((start + i) % this.size);
      if (taken.has(this.key(value))) continue;
      try {
        await this.allocate(value, owner, what);
        return value;
      } catch (err) {
        if (err instanceof AllocationError && err.reason === "Taken") continue;
        throw err;
      }
    }
    throw new AllocationError("Full", `range is full: no free ${what} left in ${this.range.description}`);
    //#end
  }

  // STEP(10.1): give `value` back only if `owner` still holds it: never free
  // another Service's value, even in a race.
  async release(value: number, owner: Owner): Promise<void> {
    //#solution
    const kv = await this.store.get(this.key(value));
    if (!kv) return;
    const holder = JSON.parse(kv.value) as Owner;
    if (holder.namespace !== owner.namespace || holder.name !== owner.name) return;
    try {
      await this.store.delete(kv.key, kv.modRevision);
    } catch (err) {
      if (!isStoreError(err, "KeyNotFound") && !isStoreError(err, "Conflict")) throw err;
    }
    //#end
  }

  /** The values allocated now, with their owners (for tests and tools). */
  async allocated(): Promise<Map<string, Owner>> {
    const { kvs } = await this.store.range(this.prefix);
    return new Map(kvs.map((kv) => [kv.key.slice(this.prefix.length), JSON.parse(kv.value) as Owner]));
  }
}
