/** Maintainer command `npm run gen:starters [NN]`: rewrites chapters/ starters from solutions/. */
import { availableChapters } from "../shared/chapters.ts";
import { resolveChapter } from "./resolve.ts";
import { writeStarters } from "./solve.ts";
import { generateChapter } from "./starters.ts";
import { c } from "./ui.ts";

export function genStarters(only?: string): number {
  const chapters = only ? [resolveChapter(only)] : availableChapters();
  for (const chapter of chapters) {
    const { written, removed } = writeStarters(chapter);
    const steps = generateChapter(chapter).steps.map((s) => s.step);
    console.log(
      `${c.green("ok")} chapters/${chapter.slug}: ${written} file(s)${removed ? `, ${removed} stale removed` : ""}, steps ${steps.join(" ") || "(none)"}`,
    );
  }
  return 0;
}
