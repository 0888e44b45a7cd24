/**
 * A chapter's lesson in the learner's language: where it is, and its title.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { type Chapter, REPO_ROOT } from "../../shared/chapters.ts";
import { type Language, localized, translatedName, workshopLanguage } from "./language.ts";

/** chapters/NN-slug/README.md, or its translation, relative to the repository. */
export function lessonFile(chapter: Chapter, language: Language = workshopLanguage(), root = REPO_ROOT): string {
  return relative(root, localized(join(root, "chapters", chapter.slug, "README.md"), language));
}

/**
 * The first heading of the translated lesson ("# 第 05 章 — Pod：kubelet" gives
 * "Pod：kubelet"), or the English title from shared/chapters.ts when there is
 * no translation.
 */
export function chapterTitle(chapter: Chapter, language: Language = workshopLanguage(), root = REPO_ROOT): string {
  if (language === "en") return chapter.title;
  const lesson = join(root, "chapters", chapter.slug, translatedName("README.md", language));
  if (!existsSync(lesson)) return chapter.title;
  const heading = /^# (.+)$/m.exec(readFileSync(lesson, "utf8"))?.[1] ?? "";
  return heading.replace(/^第\s*\d+\s*章\s*[—–-]\s*/, "").trim() || chapter.title;
}
