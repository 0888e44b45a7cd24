/**
 * Chapter 07, no server: the label selector's lexer, parser and matching,
 * field selectors, and what kubectl label/annotate plan to change.
 */
import { describe, expect, it } from "vitest";
import { tokenize } from "@tree/07-labels/labels/lexer.ts";
import { parseSelector, SelectorError, selectorFromSet, type Labels } from "@tree/07-labels/labels/selector.ts";
import { fieldMatches, parseFieldSelector, supportedFields } from "@tree/07-labels/labels/field-selector.ts";
import { expectList } from "./harness/expect.ts";
import { planChanges, splitChangeArgs } from "@tree/07-labels/kubectl/metadata-changes.ts";

/** The selector, the labels, and whether it must select them: all three in the message. */
function expectSelects(selector: string, labels: Labels | undefined, expected: boolean): void {
  const got = parseSelector(selector).matches(labels);
  expect(got, `selector "${selector}" on labels ${JSON.stringify(labels)}: expected ${expected ? "a match" : "no match"}, got ${got ? "a match" : "no match"}`).toBe(expected);
}

/** The error a selector gives (fails the test when it parses). */
function parseError(selector: string): SelectorError {
  try {
    parseSelector(selector);
  } catch (err) {
    if (err instanceof SelectorError) return err;
    throw err;
  }
  throw new Error(`expected "${selector}" to be rejected, but it parsed`);
}

describe("07.1 the lexer", () => {
  it("cuts a selector into tokens with their positions", () => {
    const selector = " tier in (web,db) ,!canary,a==b,c!=d,e=f";
    const tokens = tokenize(selector);
    // Tokens as kind:text@position; the message names the first one that differs.
    expectList(tokens.map((t) => `${t.kind}:${t.text}@${t.position}`), [
      "identifier:tier@1",
      "identifier:in@6",
      "(:(@9",
      "identifier:web@10",
      ",:,@13",
      "identifier:db@14",
      "):)@16",
      ",:,@18",
      "!:!@19",
      "identifier:canary@20",
      ",:,@26",
      "identifier:a@27",
      "==:==@28",
      "identifier:b@30",
      ",:,@31",
      "identifier:c@32",
      "!=:!=@33",
      "identifier:d@35",
      ",:,@36",
      "identifier:e@37",
      "=:=@38",
      "identifier:f@39",
      "end:@40",
    ], `tokens of "${selector}"`);
  });

  it("keeps unusual characters inside an identifier (the parser judges them)", () => {
    expect(tokenize("app=we$b").map((t) => t.text)).toEqual(["app", "=", "we$b", ""]);
    expect(tokenize("example.com/app").map((t) => t.kind)).toEqual(["identifier", "end"]);
  });

  it("rejects < and > with their position", () => {
    expect(() => tokenize("replicas>3")).toThrow(SelectorError);
    try {
      tokenize("replicas>3");
    } catch (err) {
      expect((err as SelectorError).position).toBe(8);
      expect((err as SelectorError).message).toContain('">"');
    }
  });
});

describe("07.2 the parser", () => {
  const valid: Array<[string, string]> = [
    ["", ""],
    ["   ", ""],
    ["app=web", "app=web"],
    ["app==web", "app=web"],
    ["app!=web", "app!=web"],
    [" app = web ", "app=web"],
    ["app=", "app="],
    ["app==", "app="],
    ["tier in (a,b)", "tier in (a,b)"],
    ["tier in(a)", "tier in (a)"],
    ["tier in ( a , b )", "tier in (a,b)"],
    ["tier notin (a,b)", "tier notin (a,b)"],
    ["tier in (a,)", "tier in (a,)"],
    ["canary", "canary"],
    ["!canary", "!canary"],
    ["! canary", "!canary"],
    ["app=web,tier in (fe),!canary,env", "app=web,tier in (fe),!canary,env"],
    ["example.com/app=web", "example.com/app=web"],
    ["k8s.io/Name_1.x-y=V_1.x-Z", "k8s.io/Name_1.x-y=V_1.x-Z"],
    ["a=in", "a=in"],
    [`v=${"x".repeat(63)}`, `v=${"x".repeat(63)}`],
  ];
  it.each(valid)("parses %j as %j", (selector, canonical) => {
    expect(parseSelector(selector).toString()).toBe(canonical);
  });

  it("builds the requirements with Kubernetes' operator names", () => {
    expect(parseSelector("a=1,b!=2,c in (3,4),d notin (5),e,!f").requirements).toEqual([
      { key: "a", operator: "Equals", values: ["1"] },
      { key: "b", operator: "NotEquals", values: ["2"] },
      { key: "c", operator: "In", values: ["3", "4"] },
      { key: "d", operator: "NotIn", values: ["5"] },
      { key: "e", operator: "Exists", values: [] },
      { key: "f", operator: "DoesNotExist", values: [] },
    ]);
  });

  // selector, position of the bad part, what the message must say
  const malformed: Array<[string, number, RegExp]> = [
    ["app in (a", 9, /found the end of the selector, expected "," or "\)"/],
    ["=x", 0, /found "=", expected a label key/],
    ["a===", 3, /found "=", expected a label value/],
    ["a in ()", 5, /"in" needs at least one value/],
    ["a notin ()", 8, /"notin" needs at least one value/],
    ["a in a,b", 5, /found "a", expected "\(" after "in"/],
    ["app=web db", 8, /found "db", expected "," or the end of the selector/],
    ["app web", 4, /found "web", expected an operator/],
    ["app=web,", 8, /found the end of the selector, expected a label key/],
    [",app=web", 0, /found ",", expected a label key/],
    ["app=we$b", 4, /invalid label value "we\$b"/],
    ["app=-web", 4, /invalid label value "-web"/],
    ["-app=web", 0, /invalid label key "-app"/],
    ["Example.com/app=web", 0, /invalid label key "Example.com\/app".*prefix/],
    ["a/b/c=d", 0, /invalid label key "a\/b\/c"/],
    [`app=${"v".repeat(64)}`, 4, /invalid label value .*no more than 63 characters/],
    [`${"k".repeat(64)}=v`, 0, /invalid label key .*no more than 63 characters/],
    ["!app=web", 4, /found "=", expected "," or the end of the selector/],
    ["app in (a b)", 10, /found "b", expected "," or "\)"/],
    ["app=(web)", 4, /found "\(", expected a label value/],
  ];
  it.each(malformed)("rejects %j at position %i", (selector, position, message) => {
    const err = parseError(selector);
    expect(err.position).toBe(position);
    expect(err.problem).toMatch(message);
    expect(err.selector).toBe(selector);
  });
});

describe("07.3 matching", () => {
  const labels: Labels = { app: "web", tier: "frontend", empty: "" };
  const cases: Array<[string, Labels, boolean]> = [
    ["", {}, true],
    ["", labels, true],
    ["app=web", labels, true],
    ["app==web", labels, true],
    ["app=db", labels, false],
    ["app=web", {}, false],
    ["app!=db", labels, true],
    ["app!=web", labels, false],
    ["missing!=x", labels, true],
    ["tier in (backend,frontend)", labels, true],
    ["tier in (backend)", labels, false],
    ["missing in (a)", labels, false],
    ["tier notin (backend)", labels, true],
    ["tier notin (frontend,backend)", labels, false],
    ["missing notin (a)", labels, true],
    ["app", labels, true],
    ["missing", labels, false],
    ["!missing", labels, true],
    ["!app", labels, false],
    ["empty=", labels, true],
    ["app=", labels, false],
    ["empty", labels, true],
    ["app=web,tier=frontend", labels, true],
    ["app=web,tier=backend", labels, false],
    ["app=web,app!=web", labels, false],
    ["constructor", {}, false],
    ["!toString", {}, true],
  ];
  it.each(cases)("%j on %j is %s", (selector, l, expected) => {
    expectSelects(selector, l, expected);
  });

  it("an empty selector matches an object without labels at all", () => {
    expectSelects("", undefined, true);
    expectSelects("!app", undefined, true);
    expectSelects("app", undefined, false);
  });

  it("selectorFromSet selects exactly those labels", () => {
    const s = selectorFromSet({ tier: "db", app: "shop" });
    expect(s.toString()).toBe("app=shop,tier=db");
    expect(s.matches({ app: "shop", tier: "db", extra: "x" })).toBe(true);
    expect(s.matches({ app: "shop" })).toBe(false);
  });
});

describe("07.4 field selectors", () => {
  it("parses =, == and != terms, skipping empty ones and trimming spaces", () => {
    expect(parseFieldSelector("").length).toBe(0);
    expect(parseFieldSelector(" , ").length).toBe(0);
    expect(parseFieldSelector("spec.nodeName=n1, status.phase!=Failed,metadata.name==web,").map(({ field, operator, value }) => ({ field, operator, value }))).toEqual([
      { field: "spec.nodeName", operator: "Equals", value: "n1" },
      { field: "status.phase", operator: "NotEquals", value: "Failed" },
      { field: "metadata.name", operator: "Equals", value: "web" },
    ]);
  });

  it("an empty value selects an unset field (the scheduler's spec.nodeName=)", () => {
    const [r] = parseFieldSelector("spec.nodeName=");
    expect(r).toMatchObject({ field: "spec.nodeName", operator: "Equals", value: "" });
    const get = supportedFields("", "pods")["spec.nodeName"]!;
    expect(fieldMatches(r!, get({ spec: {} } as never))).toBe(true);
    expect(fieldMatches(r!, get({ spec: { nodeName: "n1" } } as never))).toBe(false);
  });

  it("a backslash escapes , = and ! inside a value", () => {
    expect(parseFieldSelector("metadata.name=a\\,b\\=c\\!d\\\\e,reason=x").map((r) => r.value)).toEqual(["a,b=c!d\\e", "x"]);
  });

  const malformed: Array<[string, number, RegExp]> = [
    ["status.phase", 0, /"status.phase" is not field=value/],
    ["a=b,status.phase in (Running)", 4, /"status.phase in \(Running\)" is not field=value/],
    ["=Running", 0, /without a field name/],
    ["a=b, !=x", 5, /without a field name/],
    ["metadata.name=a\\b", 15, /invalid escape sequence/],
  ];
  it.each(malformed)("rejects %j at position %i", (selector, position, message) => {
    let error: SelectorError | undefined;
    try {
      parseFieldSelector(selector);
    } catch (err) {
      if (err instanceof SelectorError) error = err;
      else throw err;
    }
    expect(error, `"${selector}" should be rejected`).toBeDefined();
    expect(error!.position).toBe(position);
    expect(error!.problem).toMatch(message);
  });

  it("selects by the fields of pods, nodes and events, and metadata.name/namespace of every resource", () => {
    const select = (group: string, plural: string, selector: string, obj: object) => {
      const fields = supportedFields(group, plural);
      return parseFieldSelector(selector).every((r) => fieldMatches(r, fields[r.field]!(obj)));
    };
    const pod = { metadata: { name: "web", namespace: "shop" }, spec: { nodeName: "n1" }, status: { phase: "Running" } };
    expect(select("", "pods", "metadata.name=web,metadata.namespace=shop,spec.nodeName=n1,status.phase=Running", pod)).toBe(true);
    expect(select("", "pods", "status.phase!=Running", pod)).toBe(false);
    const event = { involvedObject: { kind: "Pod", name: "web", namespace: "shop", uid: "u1" }, reason: "Started", type: "Normal" };
    expect(select("", "events", "involvedObject.kind=Pod,involvedObject.name=web,involvedObject.namespace=shop,involvedObject.uid=u1,reason=Started,type=Normal", event)).toBe(true);
    expect(select("", "events", "involvedObject.name=db", event)).toBe(false);
    expect(select("", "nodes", "spec.unschedulable=false", { spec: {} })).toBe(true);
    expect(Object.keys(supportedFields("example.com", "widgets")).sort()).toEqual(["metadata.name", "metadata.namespace"]);
  });
});

describe("07.6 kubectl label and annotate: what changes", () => {
  it("splits objects from changes, checks keys and label values, and plans the patch", () => {
    const { objects, changes } = splitChangeArgs(["pod", "web", "tier=frontend", "env-"], "labels");
    expect(objects).toEqual(["pod", "web"]);
    expect(planChanges({ app: "web", env: "dev" }, changes, false)).toEqual({ patch: { tier: "frontend", env: null }, missing: [] });
    expect(splitChangeArgs(["pod", "web", "tier=frontend", "env-"], "labels")).toEqual({
      objects: ["pod", "web"],
      changes: [{ key: "tier", value: "frontend" }, { key: "env" }],
    });
    expect(() => splitChangeArgs(["pod", "web"], "labels")).toThrow(/at least one label update is required/);
    expect(() => splitChangeArgs(["pod", "web", "tier=front end"], "labels")).toThrow(/invalid label value "tier=front end"/);
    expect(() => splitChangeArgs(["pod", "web", "-bad=x"], "labels")).toThrow(/invalid label key "-bad"/);
    // Annotation values are free text.
    expect(splitChangeArgs(["pod/web", "note=hello, world!"], "annotations").changes).toEqual([{ key: "note", value: "hello, world!" }]);
  });

  it("adds, keeps, removes, and refuses to change a value without --overwrite", () => {
    const current = { app: "web", tier: "frontend" };
    expect(planChanges(current, [{ key: "env", value: "prod" }], false)).toEqual({ patch: { env: "prod" }, missing: [] });
    expect(planChanges(current, [{ key: "tier", value: "frontend" }], false)).toEqual({ patch: {}, missing: [] });
    expect(planChanges(current, [{ key: "tier" }, { key: "nope" }], false)).toEqual({ patch: { tier: null }, missing: ["nope"] });
    expect(() => planChanges(current, [{ key: "tier", value: "backend" }, { key: "app", value: "db" }], false)).toThrow(
      "'tier' already has a value (frontend); 'app' already has a value (web), and --overwrite is false",
    );
    expect(planChanges(current, [{ key: "tier", value: "backend" }], true)).toEqual({ patch: { tier: "backend" }, missing: [] });
    expect(planChanges(undefined, [{ key: "tier", value: "x" }, { key: "constructor" }], false)).toEqual({ patch: { tier: "x" }, missing: ["constructor"] });
  });
});
