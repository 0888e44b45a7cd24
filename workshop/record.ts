/**
 * The pass record: how `npm run check NN` knows that an earlier chapter still
 * passes without running its tests again.
 *
 * A chapter counts as passed without a run when its code is
 *   - identical to the reference (solutions/, e.g. after `npm run solve`), or
 *   - identical to the code whose tests last passed: the check records a
 *     content hash of the chapter's files and of its test files.
 * Any change to either hash makes the chapter run again.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { type Chapter, REPO_ROOT } from "../shared/chapters.ts";
import { chapterTestFiles } from "./runner.ts";
import type { WorkshopState } from "./state.ts";

/** Every .ts file under a folder, as sorted paths relative to it. */
function tsFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts")) out.push(relative(dir, path));
    }
  };
  walk(dir);
  return out.sort();
}

function hashFiles(dir: string, files: string[]): string {
  const hash = createHash("sha256");
  for (const f of files)
    hash
      .update(`${f}\0`)
      .update(readFileSync(join(dir, f)))
      .update("\0");
  return hash.digest("hex").slice(0, 16);
}

/** The hash of a chapter's code in a tree (chapters/ or solutions/). */
export function codeHash(chapter: Chapter, tree: string): string {
  const dir = join(tree, chapter.slug);
  return hashFiles(dir, tsFiles(dir));
}

/** The hash of the chapter's tests (a new version of the workshop with other tests runs the chapter again). */
export function testsHash(chapter: Chapter, root = REPO_ROOT): string {
  return hashFiles(root, chapterTestFiles(chapter, root));
}

export type Standing = { kind: "reference" } | { kind: "unchanged"; since: string } | { kind: "changed" };

/** Whether the learner's chapter can count as passed without running its tests. */
export function standing(chapter: Chapter, state: WorkshopState, root = REPO_ROOT): Standing {
  const mine = codeHash(chapter, join(root, "chapters"));
  if (mine === codeHash(chapter, join(root, "solutions"))) return { kind: "reference" };
  const last = state.checks[chapter.slug];
  if (last?.ok && last.codeHash === mine && last.testsHash === testsHash(chapter, root))
    return { kind: "unchanged", since: last.at };
  return { kind: "changed" };
}

/** "14:02" today, "3 Nov 14:02" before. */
export function when(iso: string): string {
  const d = new Date(iso);
  const time = d.toTimeString().slice(0, 5);
  return d.toDateString() === new Date().toDateString()
    ? time
    : `${d.getDate()} ${d.toLocaleString("en", { month: "short" })} ${time}`;
}
