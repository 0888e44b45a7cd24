/**
 * Keeping translations in step with the English. A translated file
 * (README.zh-CN.md beside README.md) is stamped with the hash of the English
 * file it was translated from, and with a hash per English section. When the
 * English changes, the check names the sections that changed since, so a
 * translator updates those and stamps again (`npm run i18n -- stamp`).
 * Whatever the prose says, the structure must match: every heading at the
 * same level and in the same order, step ids ("Step 01.2", "01.2", "### 1")
 * unchanged, every code block byte for byte.
 */
import { createHash } from "node:crypto";
import { basename } from "node:path";
import { headingId, outline, type Section } from "./markdown.ts";

const HEADER = /^<!-- i18n source=(\S+) sha256=([0-9a-f]+) -->\n/;
const FOOTER = /\n<!-- i18n sections\n([\s\S]*?)\n-->\n*$/;

const sha = (text: string, length: number) => createHash("sha256").update(text).digest("hex").slice(0, length);

/** The translation without its stamp, and what the stamp recorded. */
export function readStamp(translation: string): {
  body: string;
  source?: string;
  hash?: string;
  sections?: Map<string, string>;
} {
  const header = HEADER.exec(translation);
  const footer = FOOTER.exec(translation);
  let body = translation;
  if (footer) body = body.slice(0, footer.index) + "\n";
  if (header) body = body.slice(header[0].length);
  const sections = footer
    ? new Map(
        footer[1]!.split("\n").map((l) => {
          const space = l.indexOf(" ");
          return [l.slice(space + 1), l.slice(0, space)] as [string, string];
        }),
      )
    : undefined;
  return { body, source: header?.[1], hash: header?.[2], sections };
}

const sectionHashes = (sections: Section[]) => sections.map((s) => `${sha(s.text, 8)} ${s.key}`);

/** The translation stamped as translated from this English text (an older stamp is replaced). */
export function stamp(englishFile: string, english: string, translation: string): string {
  const { body } = readStamp(translation);
  const header = `<!-- i18n source=${basename(englishFile)} sha256=${sha(english, 16)} -->\n`;
  const footer = `\n<!-- i18n sections\n${sectionHashes(outline(english).sections).join("\n")}\n-->\n`;
  return header + body.replace(/\n+$/, "\n") + footer;
}

/**
 * What is wrong with a translation, in sentences that say what to do; empty
 * when it is in sync. `names` are the two files as the reader should see them.
 */
export function syncProblems(english: string, translation: string, names: { english: string; translation: string }): string[] {
  const problems: string[] = [];
  const recorded = readStamp(translation);
  const en = outline(english);
  const tr = outline(recorded.body);
  const restamp = `npm run i18n -- stamp ${names.translation}`;

  if (!recorded.hash || !recorded.sections) {
    problems.push(`${names.translation} has no sync stamp: when it matches ${names.english}, run ${restamp}`);
  } else if (recorded.hash !== sha(english, 16)) {
    const now = new Map(sectionHashes(en.sections).map((l) => [l.slice(9), l.slice(0, 8)]));
    const changed = [...now].filter(([k, h]) => recorded.sections!.has(k) && recorded.sections!.get(k) !== h).map(([k]) => k);
    const added = [...now.keys()].filter((k) => !recorded.sections!.has(k));
    const removed = [...recorded.sections.keys()].filter((k) => !now.has(k));
    const parts = [
      changed.length ? `changed: ${changed.map((k) => `"${k}"`).join(", ")}` : "",
      added.length ? `added: ${added.map((k) => `"${k}"`).join(", ")}` : "",
      removed.length ? `removed: ${removed.map((k) => `"${k}"`).join(", ")}` : "",
    ].filter(Boolean);
    problems.push(
      `${names.english} changed since ${names.translation} was translated (${parts.join("; ") || "whitespace only"}): update those sections of the translation, then run ${restamp}`,
    );
  }

  // Headings: the same levels in the same order, and the same step ids.
  const count = Math.max(en.headings.length, tr.headings.length);
  for (let i = 0; i < count; i++) {
    const e = en.headings[i];
    const t = tr.headings[i];
    const id = e && headingId(e.text);
    if (e && t && e.level === t.level && (!id || headingId(t.text) === id)) continue;
    const want = e ? `"${"#".repeat(e.level)} ${e.text}" (${names.english}:${e.line})` : "no more headings";
    const got = t ? `"${"#".repeat(t.level)} ${t.text}" (${names.translation}:${t.line})` : "nothing";
    const keep = id ? `, keeping "${id}" at the start` : "";
    problems.push(`heading ${i + 1}: the English has ${want}, the translation ${got}: translate each heading in place${keep}`);
    break; // every later heading would be off by one too
  }

  // Code blocks: byte for byte, same order, none added or dropped.
  for (let i = 0; i < Math.max(en.codeBlocks.length, tr.codeBlocks.length); i++) {
    const e = en.codeBlocks[i];
    const t = tr.codeBlocks[i];
    if (e && t && e.text === t.text) continue;
    if (!e) {
      problems.push(`${names.translation}:${t!.line} has a code block the English does not have: remove it`);
    } else if (!t) {
      problems.push(`the code block at ${names.english}:${e.line} is missing from ${names.translation}: copy it unchanged`);
    } else {
      const el = e.text.split("\n");
      const tl = t.text.split("\n");
      const at = el.findIndex((l, j) => l !== tl[j]);
      const line = at === -1 ? tl.length : at;
      problems.push(
        `code block ${i + 1} differs: ${names.english}:${e.line + line} has ${JSON.stringify(el[line] ?? "(end of block)")}, ${names.translation}:${t.line + line} has ${JSON.stringify(tl[line] ?? "(end of block)")}: copy the English block unchanged`,
      );
    }
    break;
  }
  return problems;
}
