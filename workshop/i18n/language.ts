/**
 * Which language the workshop CLI speaks: English, or Simplified Chinese when
 * WORKSHOP_LANG says so or, without it, when the terminal's locale is Chinese
 * (LC_ALL, LC_MESSAGES, LANG, in the order the C library reads them).
 * Lessons and hints are read from their translation (README.zh-CN.md,
 * hints.zh-CN.md) when it exists, and from the English file otherwise.
 */
import { existsSync } from "node:fs";
import { UserError } from "../ui.ts";

export type Language = "en" | "zh-CN";

/** The translations, by the suffix their files carry (README.zh-CN.md). */
export const TRANSLATIONS = ["zh-CN"] as const satisfies readonly Language[];

export function workshopLanguage(env: NodeJS.ProcessEnv = process.env): Language {
  const chosen = env.WORKSHOP_LANG?.trim();
  if (chosen) {
    if (/^en\b/i.test(chosen)) return "en";
    if (/^zh([-_](cn|hans))?\b/i.test(chosen)) return "zh-CN";
    throw new UserError(`WORKSHOP_LANG=${chosen} is not a language of the workshop: use en or zh-CN`);
  }
  // The first locale variable that is set decides, as in the C library (an empty one is unset).
  for (const name of ["LC_ALL", "LC_MESSAGES", "LANG"]) {
    const value = env[name];
    if (value) return /^zh([-_]|$)/i.test(value) ? "zh-CN" : "en";
  }
  return "en";
}

/** README.md -> README.zh-CN.md (the English file for "en"). */
export function translatedName(file: string, language: Language): string {
  return language === "en" ? file : file.replace(/\.md$/, `.${language}.md`);
}

/** The file to read in this language: its translation when there is one, else the English file. */
export function localized(file: string, language: Language): string {
  const translated = translatedName(file, language);
  return existsSync(translated) ? translated : file;
}
