/**
 * A chapter's title in the learner's language: the first heading of its
 * translated lesson ("# 第 05 章 — Pod：kubelet" gives "Pod：kubelet"), or the
 * English title from shared/chapters.ts when there is no translation.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Chapter, REPO_ROOT } from "../../shared/chapters.ts";
import { type Language, translatedName, workshopLanguage } from "./language.ts";

export function chapterTitle(chapter: Chapter, language: Language = workshopLanguage(), root = REPO_ROOT): string {
  if (language === "en") return chapter.title;
  const lesson = join(root, "chapters", chapter.slug, translatedName("README.md", language));
  if (!existsSync(lesson)) return chapter.title;
  const heading = /^# (.+)$/m.exec(readFileSync(lesson, "utf8"))?.[1] ?? "";
  return heading.replace(/^第\s*\d+\s*章\s*[—–-]\s*/, "").trim() || chapter.title;
}
