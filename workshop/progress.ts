/** `npm run progress`: every chapter with its state, from the TODOs left and the last check. */
import { availableChapters, CHAPTERS } from "../shared/chapters.ts";
import { chapterTitle } from "./i18n/lessons.ts";
import { generateChapter, remainingSteps } from "./starters.ts";
import { loadState } from "./state.ts";
import { c, table } from "./ui.ts";

export function progress(): void {
  const state = loadState();
  const available = new Set(availableChapters().map((ch) => ch.slug));
  const rows = CHAPTERS.map((chapter) => {
    if (!available.has(chapter.slug)) return [chapter.number, chapterTitle(chapter), c.dim("not in this version yet")];
    const total = generateChapter(chapter).steps.length;
    const left = remainingSteps(chapter).length;
    const last = state.checks[chapter.slug];
    let status: string;
    if (left === total && total > 0) status = "not started";
    else if (left > 0) status = c.yellow(`in progress: ${total - left} of ${total} steps`);
    else if (last?.ok) status = c.green("done");
    else if (last) status = c.yellow(`all ${total} steps written, ${last.passed}/${last.total} tests pass`);
    else status = c.yellow(`all ${total} steps written, not checked yet`);
    return [chapter.number, chapterTitle(chapter), status];
  });
  console.log(table(["chapter", "", "state"], rows));
  const firstOpen = rows.find((r) => !String(r[2]).includes("done") && !String(r[2]).includes("not in this version"));
  if (firstOpen) console.log(`\nNext: ${c.cyan(`npm run check ${firstOpen[0]}`)}`);
}
