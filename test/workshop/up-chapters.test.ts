/**
 * `npm start -- --tree chapters` starts the cluster the learner has built so
 * far: the chapters with no TODO left, in order, and not the starters after
 * them (their todo() would throw as soon as the cluster runs them).
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../shared/chapters.ts";
import { finishedUpTo, upOptions } from "../../workshop/up.ts";
import { UserError } from "../../workshop/ui.ts";

const scratch = mkdtempSync(join(tmpdir(), "k8s-workshop-upto-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A checkout whose chapters 01..done are solved (copies of the reference) and the rest are starters. */
function checkoutSolvedUpTo(done: string): string {
  const root = join(scratch, `solved-${done}`);
  mkdirSync(root);
  symlinkSync(join(REPO_ROOT, "solutions"), join(root, "solutions"));
  cpSync(join(REPO_ROOT, "chapters"), join(root, "chapters"), { recursive: true });
  for (const slug of ["01-containers", "02-etcd", "03-apiserver", "04-kubectl", "05-pods"].filter((s) => s.slice(0, 2) <= done)) {
    rmSync(join(root, "chapters", slug), { recursive: true });
    cpSync(join(REPO_ROOT, "solutions", slug), join(root, "chapters", slug), { recursive: true });
  }
  return root;
}

describe("npm start -- --tree chapters", () => {
  it("starts the learner's finished chapters, and names the first one with TODOs left", () => {
    const { upTo, next } = finishedUpTo(checkoutSolvedUpTo("05"));
    expect(upTo).toBe("05");
    expect(next?.number).toBe("06");
  });

  it("on untouched starters nothing is finished: chapter 01 comes next", () => {
    const { upTo, next } = finishedUpTo(checkoutSolvedUpTo("00"));
    expect(upTo).toBeUndefined();
    expect(next?.number).toBe("01");
  });

  it("--upto takes a chapter number or name, and refuses anything else with one line", () => {
    expect(upOptions({ upto: "5" }).upTo).toBe("05");
    expect(upOptions({ upto: "scheduler" }).upTo).toBe("09");
    expect(() => upOptions({ upto: "99" })).toThrow(UserError);
    expect(() => upOptions({ upto: "99" })).toThrow(/--upto names a chapter/);
  });
});
