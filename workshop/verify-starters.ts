/**
 * `npm run verify:starters`: proves that every chapter's tests can fail.
 *
 * For each chapter N it builds a scratch tree that is solutions/ with chapter
 * N replaced by its generated starter, runs chapter N's tests there, and
 * requires each test to fail, except those listed with a reason in
 * test/starter-allowlist.ts. (npm test proves the other direction: every test
 * passes on solutions/.)
 */
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { availableChapters, type Chapter, REPO_ROOT } from "../shared/chapters.ts";
import { STARTER_ALLOWLIST } from "../test/starter-allowlist.ts";
import { runChapterTests } from "./runner.ts";
import { generateChapter, type StarterOptions } from "./starters.ts";
import { c, table, UserError } from "./ui.ts";
import { resolveChapter } from "./resolve.ts";

export async function verifyStarters(only?: string): Promise<boolean> {
  const chapters = only ? [resolveChapter(only)] : availableChapters();
  const rows: string[][] = [];
  let ok = true;
  for (const chapter of chapters) {
    process.stdout.write(c.dim(`chapter ${chapter.number}: running its tests on its starter ...\n`));
    const tree = buildStarterTree(chapter);
    try {
      const run = await runChapterTests(chapter, tree);
      const allowed = (file: string, name: string) => STARTER_ALLOWLIST.some((a) => a.file === file && a.test === name);
      const wrongPasses = run.tests.filter((t) => t.status === "passed" && !allowed(t.file, t.name));
      const skipped = run.tests.filter((t) => t.status === "skipped");
      const fine =
        wrongPasses.length === 0 &&
        (run.tests.length > 0 || run.errors.length > 0) &&
        (process.env.CI !== "true" || skipped.length === 0);
      if (!fine) ok = false;
      rows.push([
        chapter.number,
        `${run.failed} failed, ${run.passed} passed, ${skipped.length} skipped${run.errors.length ? `, ${run.errors.length} load error(s)` : ""}`,
        fine ? c.green("ok") : c.red("a test passes on the starter"),
      ]);
      for (const t of wrongPasses) console.log(c.red(`  passes on the starter: ${t.file} > ${t.name}`));
      // An error outside any test is what a learner's first check prints as noise: show it here so it gets fixed.
      for (const e of run.errors) console.log(c.yellow(`  load error: ${e.split("\n").slice(0, 3).join(" | ")}`));
      if (process.env.CI === "true") for (const t of skipped) console.log(c.red(`  skipped under CI: ${t.file} > ${t.name}`));
    } finally {
      rmSync(tree, { recursive: true, force: true });
    }
  }
  console.log(table(["chapter", "tests on the untouched starter", "verdict"], rows));
  if (!ok) {
    console.log(
      c.red("\nEvery test must fail on its chapter's starter, or be listed with a reason in test/starter-allowlist.ts."),
    );
  }
  return ok;
}

/**
 * <root>/.starter-tree-NN<suffix>: solutions/ with chapter N swapped for its
 * starter (with `options.solvedThrough`: its earlier steps solved). It sits
 * beside solutions/ so that the trees' `../../shared/...` imports resolve to
 * the same shared/ folder.
 */
export function buildStarterTree(chapter: Chapter, options: StarterOptions = {}, suffix = ""): string {
  const tree = join(REPO_ROOT, `.starter-tree-${chapter.number}${suffix}`);
  rmSync(tree, { recursive: true, force: true });
  cpSync(join(REPO_ROOT, "solutions"), tree, { recursive: true });
  const own = join(tree, chapter.slug);
  rmSync(own, { recursive: true, force: true });
  const { files } = generateChapter(chapter, REPO_ROOT, options);
  if (files.size === 0) throw new UserError(`chapter ${chapter.number} has no solution files`);
  for (const [rel, text] of files) {
    mkdirSync(dirname(join(own, rel)), { recursive: true });
    writeFileSync(join(own, rel), text);
  }
  return tree;
}
