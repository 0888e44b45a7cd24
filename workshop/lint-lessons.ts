/** `npm run lint:lessons [NN]`: prints the lesson linter's table and every problem; false when there is one. */
import { findChapter } from "../shared/chapters.ts";
import { LIMITS, lintLessons } from "./lesson-lint.ts";
import { c, UserError } from "./ui.ts";

export function lintLessonsCommand(chapterId?: string): boolean {
  const only = chapterId === undefined ? undefined : [findChapter(chapterId) ?? fail(chapterId)];
  const reports = lintLessons(only);
  const rows = [["chapter", "sentences", "avg words", "longest", `> ${LIMITS.maxWords}`, "colon chains", "problems"]];
  for (const r of reports) {
    rows.push([
      r.chapter.slug,
      String(r.sentences),
      r.averageWords.toFixed(1),
      String(r.longest),
      String(r.tooLong.length),
      String(r.colonChains.length),
      String(r.problems.length),
    ]);
  }
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
  for (const row of rows) console.log(row.map((cell, col) => cell.padEnd(widths[col]!)).join("  "));
  const problems = reports.flatMap((r) => r.problems);
  if (problems.length === 0) {
    console.log(
      c.green(
        `\nok: every lesson within the limits (average <= ${LIMITS.averageWords} words, none over ${LIMITS.maxWords}), steps, hints and sections in place`,
      ),
    );
    return true;
  }
  console.log("");
  for (const p of problems) console.log(c.red(p));
  console.log(
    `\n${problems.length} problem(s). Shorten a long sentence by splitting it; give each step a lesson heading and three hint levels.`,
  );
  return false;
}

function fail(id: string): never {
  throw new UserError(`there is no chapter "${id}": name one like 05 or 05-pods`);
}
