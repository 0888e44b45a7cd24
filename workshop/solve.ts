/**
 * `npm run solve NN` and `npm run reset NN`, for a learner who is stuck or a
 * student who joins a class late: both first back up the learner's files of
 * that chapter to .workshop/backups/, then write the reference solution
 * (solve) or the untouched starter (reset) into chapters/NN-slug/.
 * Only the .ts files change; the lesson and hints stay as they are.
 */
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { type Chapter, REPO_ROOT } from "../shared/chapters.ts";
import { resolveChapter } from "./resolve.ts";
import { generateChapter, solutionFiles } from "./starters.ts";
import { c } from "./ui.ts";

export function solve(id: string | undefined): void {
  const chapter = resolveChapter(id);
  const backup = backupChapter(chapter);
  for (const rel of solutionFiles(chapter)) {
    const to = join(REPO_ROOT, "chapters", chapter.slug, rel);
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(join(REPO_ROOT, "solutions", chapter.slug, rel), to);
  }
  console.log(`Chapter ${chapter.number} now holds the reference solution.`);
  console.log(`Your files were backed up to ${c.cyan(backup)}`);
  console.log(
    `Check it: ${c.cyan(`npm run check ${chapter.number}`)}   Undo: ${c.cyan(`npm run reset ${chapter.number}`)} (or copy your backup back)`,
  );
}

export function reset(id: string | undefined): void {
  const chapter = resolveChapter(id);
  const backup = backupChapter(chapter);
  writeStarters(chapter);
  console.log(`Chapter ${chapter.number} is back to its untouched starter.`);
  console.log(`Your files were backed up to ${c.cyan(backup)}`);
}

/** Writes the generated starter files of a chapter, removing .ts files the generator does not make. */
export function writeStarters(chapter: Chapter, root = REPO_ROOT): { written: number; removed: number } {
  const { files } = generateChapter(chapter, root);
  const dir = join(root, "chapters", chapter.slug);
  let removed = 0;
  for (const rel of tsFiles(dir)) {
    if (!files.has(rel)) {
      rmSync(join(dir, rel));
      removed++;
    }
  }
  for (const [rel, text] of files) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return { written: files.size, removed };
}

function tsFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const walk = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(d, e.name)) : e.name.endsWith(".ts") ? [relative(dir, join(d, e.name))] : [],
    );
  return walk(dir);
}

/** Copies the learner's .ts files of a chapter to .workshop/backups/<slug>-<time>/ and returns that path. */
function backupChapter(chapter: Chapter): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const to = join(REPO_ROOT, ".workshop", "backups", `${chapter.slug}-${stamp}`);
  const from = join(REPO_ROOT, "chapters", chapter.slug);
  mkdirSync(to, { recursive: true });
  for (const rel of tsFiles(from)) {
    mkdirSync(dirname(join(to, rel)), { recursive: true });
    cpSync(join(from, rel), join(to, rel));
  }
  return relative(REPO_ROOT, to);
}
