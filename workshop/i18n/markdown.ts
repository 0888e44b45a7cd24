/**
 * Just enough Markdown structure for the translation sync check: headings and
 * fenced code blocks (a "#" inside a code block is not a heading), and the
 * sections between headings, each keyed by its path of headings
 * ("Steps > Step 01.2 — ...") so a section can be named in a message.
 */
export interface Heading {
  level: number;
  text: string;
  /** 1-based line number in the file. */
  line: number;
}

export interface CodeBlock {
  /** The block with its fence lines, trailing spaces removed from each line. */
  text: string;
  line: number;
}

export interface Section {
  /** The headings from the top down to this one, joined with " > "; "(top)" before the first heading. */
  key: string;
  heading?: Heading;
  /** The section's own lines (its heading and body up to the next heading). */
  text: string;
}

export interface MarkdownOutline {
  headings: Heading[];
  codeBlocks: CodeBlock[];
  sections: Section[];
}

export function outline(markdown: string): MarkdownOutline {
  const lines = markdown.replace(/\r\n/g, "\n").split("\n");
  const headings: Heading[] = [];
  const codeBlocks: CodeBlock[] = [];
  const sections: Section[] = [];
  const path: Heading[] = [];
  const seen = new Map<string, number>();
  let current: { key: string; heading?: Heading; lines: string[] } = { key: "(top)", lines: [] };
  let fence: { marker: string; start: number; lines: string[] } | undefined;

  const closeSection = () => {
    if (current.heading || current.lines.some((l) => l.trim() !== "")) {
      sections.push({ key: current.key, heading: current.heading, text: current.lines.join("\n") });
    }
  };

  lines.forEach((raw, i) => {
    const line = raw.replace(/\s+$/, "");
    if (fence) {
      fence.lines.push(line);
      current.lines.push(line);
      // A fence closes with the same character, at least as long, and nothing after it.
      if (line.trim().startsWith(fence.marker) && /^[`~]+$/.test(line.trim())) {
        codeBlocks.push({ text: fence.lines.join("\n"), line: fence.start });
        fence = undefined;
      }
      return;
    }
    const open = /^\s*(`{3,}|~{3,})/.exec(line);
    if (open) {
      fence = { marker: open[1]!, start: i + 1, lines: [line] };
      current.lines.push(line);
      return;
    }
    const h = /^(#{1,6})\s+(.*?)\s*#*$/.exec(line);
    if (!h) {
      current.lines.push(line);
      return;
    }
    const heading: Heading = { level: h[1]!.length, text: h[2]!, line: i + 1 };
    headings.push(heading);
    closeSection();
    while (path.length > 0 && path.at(-1)!.level >= heading.level) path.pop();
    path.push(heading);
    let key = path.map((p) => p.text).join(" > ");
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    if (n > 1) key += ` (${n})`;
    current = { key, heading, lines: [line] };
  });
  if (fence) codeBlocks.push({ text: fence.lines.join("\n"), line: fence.start });
  closeSection();
  return { headings, codeBlocks, sections };
}

/**
 * The id a heading must keep in every language: "Step 01.2" in a lesson,
 * "01.2" for a step and "1" for a level in hints. Undefined for a heading
 * whose whole text is translated.
 */
export function headingId(text: string): string | undefined {
  return /^(Step\s+\d{2}\.\d+|\d{2}\.\d+|\d+)(?=$|[\s:.—–-])/.exec(text)?.[1];
}
