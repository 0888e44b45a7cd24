/**
 * What the workshop CLI remembers between runs, in .workshop/ (git-ignored):
 * the last check result per chapter and how many hints of each step were shown.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../shared/chapters.ts";

/** The last full check of a chapter. The hashes are the pass record (workshop/record.ts). */
export interface ChapterRecord {
  passed: number;
  total: number;
  ok: boolean;
  at: string;
  /** Hash of the .ts files under chapters/NN-slug when it ran. */
  codeHash?: string;
  /** Hash of test/NN-*.test.ts when it ran. */
  testsHash?: string;
}

export interface WorkshopState {
  /** chapter slug -> the last `npm run check` result for it. */
  checks: Record<string, ChapterRecord>;
  /** step id -> hint levels already shown. */
  hints: Record<string, number>;
}

/** WORKSHOP_STATE_DIR moves the state elsewhere (the CLI's own tests use a temp dir). */
const dir = (root: string) => process.env.WORKSHOP_STATE_DIR ?? join(root, ".workshop");
const file = (root: string) => join(dir(root), "state.json");

export function loadState(root = REPO_ROOT): WorkshopState {
  const empty: WorkshopState = { checks: {}, hints: {} };
  if (!existsSync(file(root))) return empty;
  try {
    return { ...empty, ...(JSON.parse(readFileSync(file(root), "utf8")) as Partial<WorkshopState>) };
  } catch {
    return empty; // a damaged state file only loses hint levels and old results
  }
}

export function saveState(state: WorkshopState, root = REPO_ROOT): void {
  mkdirSync(dir(root), { recursive: true });
  writeFileSync(file(root), JSON.stringify(state, null, 2));
}
