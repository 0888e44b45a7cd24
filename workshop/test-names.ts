/**
 * The names of a chapter's tests, read from the test files' source (no test
 * runs, nothing is imported). Every test belongs to one step: its full name
 * ("describe > ... > it") starts with the step id ("02.4 watch > replays ...")
 * or, for a test of the whole chapter, with "NN chapter > ". The workshop
 * groups failures by this prefix, and `npm run check NN.k` selects by it.
 *
 * A title that is computed (a template with `${...}`) keeps its fixed text and
 * shows each substitution as "…". A test that a harness helper registers is
 * found where the helper calls `step("NN.k", title, body)`.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import type { Chapter } from "../shared/chapters.ts";

export interface TestName {
  /** The full name as the runner shows it, describes joined with " > ". */
  name: string;
  /** Path relative to the repository root, and the line (1-based) of the test. */
  file: string;
  line: number;
}

export { stepOfTestName } from "./step-id.ts";

/** The chapter's test files: test/NN-*.test.ts, relative to root. */
export function chapterTestFiles(chapter: Chapter, root: string): string[] {
  return readdirSync(join(root, "test"))
    .filter((f) => f.startsWith(`${chapter.number}-`) && f.endsWith(".test.ts"))
    .sort()
    .map((f) => `test/${f}`);
}

/** Every test registered in one file, with its full name. */
export function listTests(file: string, root: string): TestName[] {
  const text = readFileSync(join(root, file), "utf8");
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: TestName[] = [];
  const line = (node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;

  const visit = (node: ts.Node, suites: string[]): void => {
    if (ts.isCallExpression(node)) {
      const kind = calleeName(node.expression);
      const [first, second, third] = node.arguments;
      if ((kind === "describe" || kind === "it" || kind === "test") && first && isBody(second)) {
        const title = titleText(first);
        if (kind === "describe") {
          ts.forEachChild(second!, (child) => visit(child, [...suites, title]));
          return;
        }
        found.push({ name: [...suites, title].join(" > "), file, line: line(node) });
        return;
      }
      // A harness helper's test: step("NN.k", "title", async () => {...})
      if (kind === "step" && first && ts.isStringLiteral(first) && second && isBody(third)) {
        found.push({ name: `${first.text} ${titleText(second)}`, file, line: line(node) });
        return;
      }
    }
    ts.forEachChild(node, (child) => visit(child, suites));
  };
  visit(source, []);
  return found;
}

/** `it`, `it.skipIf(x)`, `it.each(rows)`, `describe.skipIf(x)`... all count by their base name. */
function calleeName(callee: ts.Expression): string | undefined {
  if (ts.isIdentifier(callee)) return callee.text;
  if (ts.isPropertyAccessExpression(callee)) return calleeName(callee.expression);
  if (ts.isCallExpression(callee)) return calleeName(callee.expression);
  return undefined;
}

/** The test body: a function, possibly after an options object (`it(name, { timeout }, fn)` is handled by the caller's third argument). */
function isBody(node: ts.Node | undefined): boolean {
  if (!node) return false;
  return ts.isArrowFunction(node) || ts.isFunctionExpression(node) || ts.isObjectLiteralExpression(node) || ts.isIdentifier(node);
}

function titleText(node: ts.Expression): string {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) return node.head.text + node.templateSpans.map((s) => "…" + s.literal.text).join("");
  return "…";
}

/** Every step id marked STEP(NN.k) in a chapter's solution files. */
export function solutionSteps(chapter: Chapter, root: string): Set<string> {
  const steps = new Set<string>();
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name.endsWith(".ts")) {
        for (const m of readFileSync(full, "utf8").matchAll(/STEP\((\d\d\.\d+)\)/g)) steps.add(m[1]!);
      }
    }
  };
  walk(join(root, "solutions", chapter.slug));
  return steps;
}
