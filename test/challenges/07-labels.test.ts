/**
 * Chapter 07 challenges (optional): they fail on the reference solution and
 * pass once you build the extension. Run them with
 * `npm run check 07 -- --challenges`.
 */
import { describe, expect, it } from "vitest";
import * as selectors from "@tree/07-labels/labels/selector.ts";

/** The structured selector of Deployments and ReplicaSets. */
interface StructuredSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: "In" | "NotIn" | "Exists" | "DoesNotExist"; values?: string[] }[];
}

describe("07 challenge", () => {
  it("supports key>N and key<N for integer values, as Kubernetes does", () => {
    const more = selectors.parseSelector("replicas>3");
    const fewer = selectors.parseSelector("replicas<3");
    expect(([{ replicas: "4" }, { replicas: "3" }, { replicas: "x" }, {}] as Record<string, string>[]).map((l) => more.matches(l))).toEqual([true, false, false, false]);
    expect([{ replicas: "2" }, { replicas: "3" }].map((l) => fewer.matches(l))).toEqual([true, false]);
    // The value must be an integer.
    expect(() => selectors.parseSelector("replicas>three")).toThrow(selectors.SelectorError);
  });

  it("turns matchLabels and matchExpressions into a LabelSelector", () => {
    const build = (selectors as Record<string, unknown>)["selectorFromLabelSelector"] as ((s: StructuredSelector) => selectors.LabelSelector) | undefined;
    expect(build, "export selectorFromLabelSelector() from labels/selector.ts").toBeTypeOf("function");
    const s = build!({
      matchLabels: { app: "web" },
      matchExpressions: [
        { key: "tier", operator: "In", values: ["front", "edge"] },
        { key: "canary", operator: "DoesNotExist" },
      ],
    });
    expect(s.matches({ app: "web", tier: "edge" })).toBe(true);
    expect(s.matches({ app: "web", tier: "back" })).toBe(false);
    expect(s.matches({ app: "web", tier: "front", canary: "yes" })).toBe(false);
    // Empty means everything, as for a LabelSelector from a string.
    expect(build!({}).matches({ anything: "x" })).toBe(true);
  });
});
