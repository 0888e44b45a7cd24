/**
 * Chapter 03, given code: request bodies (solutions/03-apiserver/http/body.ts).
 * A "__proto__" field could become an object's prototype once the server copies
 * the body by assignment, so it is refused, however the JSON spells it.
 */
import { describe, expect, it } from "vitest";
import { isApiError } from "../shared/api/index.ts";
import { parseBody } from "@tree/03-apiserver/http/body.ts";

const parse = (text: string, type = "application/json") => parseBody(Buffer.from(text), type);

function refused(text: string, type?: string): boolean {
  try {
    parse(text, type);
    return false;
  } catch (err) {
    return isApiError(err, "BadRequest");
  }
}

describe("03 chapter > bodies", () => {
  it("a field named __proto__ is a 400, also when spelled with \\u escapes or deep in the body", () => {
    expect(refused('{"__proto__": {"polluted": true}}')).toBe(true);
    expect(refused('{"metadata": {"labels": {"\\u005f_proto__": "x"}}}')).toBe(true);
    expect(refused('{"spec": {"containers": [{"\\u005F\\u005Fproto\\u005f\\u005f": 1}]}}')).toBe(true);
    expect(refused("metadata:\n  __proto__: {}\n", "application/yaml")).toBe(true);
    // Text that only mentions it, or other escapes, is a body like any other.
    expect(parse('{"metadata": {"annotations": {"note": "__proto__ is not a key here"}}}')).toMatchObject({
      metadata: { annotations: { note: "__proto__ is not a key here" } },
    });
    expect(parse('{"a": "\\u00e9"}')).toEqual({ a: "é" });
  });
});
