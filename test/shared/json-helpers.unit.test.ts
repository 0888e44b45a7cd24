/**
 * deepClone() walks plain objects instead of going through JSON text. Its
 * answer must stay exactly the round trip's, for every value, key order included.
 * deepEqual() compares JSON values; a field set to undefined counts as absent.
 */
import { describe, expect, it } from "vitest";
import { deepClone, deepEqual } from "../../shared/api/index.ts";

const roundTrip = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;

describe("deepClone", () => {
  const cases: Record<string, unknown> = {
    "a pod": {
      kind: "Pod",
      metadata: { name: "p", labels: { app: "web" }, annotations: {} },
      spec: { containers: [{ name: "c", image: "busybox", command: ["sleep", "1"] }], nodeName: undefined },
      status: { conditions: [] },
    },
    "values JSON cannot hold": {
      a: undefined,
      b: () => 1,
      c: Symbol("s"),
      d: NaN,
      e: -Infinity,
      f: -0,
      g: [undefined, () => 1, NaN],
    },
    "a Date and a toJSON()": { when: new Date(0), custom: { toJSON: () => "custom" } },
    "a class instance": {
      item: new (class Thing {
        x = 1;
        y = undefined;
      })(),
    },
    "integer-like keys": { b: 1, 2: "two", a: 3, 1: "one" },
    "an own __proto__ field": JSON.parse('{"__proto__":{"polluted":true},"ok":1}'),
    "a null prototype": Object.assign(Object.create(null), { a: [1, { b: null }] }),
    "plain scalars": ["text", 1.5, true, null],
  };
  for (const [what, value] of Object.entries(cases)) {
    it(`gives what the JSON round trip gives: ${what}`, () => {
      const copy = deepClone(value);
      expect(JSON.stringify(copy)).toBe(JSON.stringify(roundTrip(value)));
      expect(copy).toStrictEqual(roundTrip(value));
    });
  }

  it("shares nothing with the original", () => {
    const original = { spec: { containers: [{ name: "c", env: [{ name: "A" }] }] } };
    const copy = deepClone(original);
    copy.spec.containers[0]!.env[0]!.name = "B";
    expect(original.spec.containers[0]!.env[0]!.name).toBe("A");
  });

  it("keeps an own __proto__ field a field, and sets no prototype", () => {
    const copy = deepClone(JSON.parse('{"__proto__":{"polluted":true}}') as Record<string, unknown>);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("leaves undefined as it is and throws where the round trip throws", () => {
    expect(deepClone(undefined)).toBeUndefined();
    expect(() => deepClone({ n: 1n })).toThrow(TypeError);
  });
});

describe("deepEqual", () => {
  it("ignores key order and fields set to undefined", () => {
    expect(deepEqual({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toBe(true);
    expect(deepEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(deepEqual({ a: 1 }, { a: 1, b: undefined })).toBe(true);
  });

  it("tells apart a missing field, an extra field, a changed item and a longer list", () => {
    expect(deepEqual({ a: 1, b: 2 }, { a: 1 })).toBe(false);
    expect(deepEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(deepEqual({ a: 1, b: undefined }, { a: 1, c: 2 })).toBe(false);
    expect(deepEqual({ a: undefined, b: 1 }, { a: 1 })).toBe(false);
    expect(deepEqual({ l: [1, { x: "y" }] }, { l: [1, { x: "z" }] })).toBe(false);
    expect(deepEqual([1, 2], [1, 2, 3])).toBe(false);
    expect(deepEqual([1], { 0: 1 })).toBe(false);
    expect(deepEqual({}, [])).toBe(false);
    expect(deepEqual(null, {})).toBe(false);
  });
});
