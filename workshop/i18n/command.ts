/**
 * `npm run i18n -- check [NN]` and `npm run i18n -- stamp <NN | file>...`:
 * the sync check of the translated lessons (CI runs it), and the stamp a
 * translator sets when a translation matches its English file again.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { availableChapters, findChapter, REPO_ROOT } from "../../shared/chapters.ts";
import { c, UserError } from "../ui.ts";
import { TRANSLATIONS, translatedName } from "./language.ts";
import { stamp, syncProblems } from "./sync.ts";

/** An English file and its translation, as paths relative to the repository. */
export interface TranslationPair {
  english: string;
  translation: string;
}

/** Every file that must have a translation: the top-level README and each chapter's lesson and hints. */
export function translationPairs(root = REPO_ROOT, chapterId?: string): TranslationPair[] {
  const chapters = chapterId === undefined ? availableChapters(root) : [findChapter(chapterId) ?? unknownChapter(chapterId)];
  const english = [
    ...(chapterId === undefined ? ["README.md"] : []),
    ...chapters.flatMap((ch) => [`chapters/${ch.slug}/README.md`, `chapters/${ch.slug}/hints.md`]),
  ];
  return TRANSLATIONS.flatMap((language) =>
    english.map((file) => ({ english: file, translation: translatedName(file, language) })),
  );
}

/** The problems of every pair; a missing translation is one. */
export function checkTranslations(root = REPO_ROOT, chapterId?: string): string[] {
  return translationPairs(root, chapterId).flatMap((pair) => {
    const translation = join(root, pair.translation);
    if (!existsSync(translation))
      return [`${pair.translation} is missing: translate ${pair.english}, then run npm run i18n -- stamp ${pair.translation}`];
    return syncProblems(readFileSync(join(root, pair.english), "utf8"), readFileSync(translation, "utf8"), pair);
  });
}

export function i18nCommand(args: string[], root = REPO_ROOT): boolean {
  const [action, ...rest] = args;
  if (action === "check") {
    if (rest.length > 1) throw new UserError("usage: npm run i18n -- check [NN]");
    const problems = checkTranslations(root, rest[0]);
    for (const p of problems) console.log(c.red(p));
    const pairs = translationPairs(root, rest[0]).length;
    if (problems.length === 0) console.log(c.green(`ok: ${pairs} translated files in sync with their English`));
    else console.log(`\n${problems.length} problem(s) in ${pairs} translated files.`);
    return problems.length === 0;
  }
  if (action === "stamp") {
    if (rest.length === 0) throw new UserError("usage: npm run i18n -- stamp <NN | translated file>...");
    const files = rest.flatMap((arg) =>
      /^\d{1,2}$/.test(arg) ? translationPairs(root, arg).map((p) => p.translation) : [relative(root, resolve(arg))],
    );
    let ok = true;
    for (const file of files) {
      const pair = translationPairs(root).find((p) => p.translation === file);
      if (!pair)
        throw new UserError(
          `${file} is not a translation this workshop keeps (README.zh-CN.md or hints.zh-CN.md of a chapter, or the top-level one)`,
        );
      if (!existsSync(join(root, file))) throw new UserError(`${file} does not exist yet: translate ${pair.english} first`);
      const english = readFileSync(join(root, pair.english), "utf8");
      const stamped = stamp(pair.english, english, readFileSync(join(root, file), "utf8"));
      writeFileSync(join(root, file), stamped);
      const problems = syncProblems(english, stamped, pair);
      console.log(problems.length === 0 ? c.green(`stamped ${file}`) : c.yellow(`stamped ${file}, but:`));
      for (const p of problems) console.log(c.red(`  ${p}`));
      ok &&= problems.length === 0;
    }
    return ok;
  }
  throw new UserError("usage: npm run i18n -- check [NN] | stamp <NN | translated file>...");
}

function unknownChapter(id: string): never {
  throw new UserError(`no chapter "${id}": use a number such as 05 (npm run progress lists them)`);
}
