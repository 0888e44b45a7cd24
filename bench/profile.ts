/**
 * Reads a .cpuprofile (node --cpu-prof, or BENCH_CPU_PROF=DIR for the control
 * plane) and prints where the busy time went: the functions with the largest
 * self time, and with the largest inclusive time (the function and what it
 * called). Shares are of the busy samples: idle time and the loading of
 * modules at start (which no request pays for) are left out.
 *
 *   npx tsx bench/profile.ts /tmp/prof/CPU.....cpuprofile [top=30]
 *
 * A function that calls itself counts once per sample in the inclusive list.
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
}

/** Frames of module loading: the time spent before the first request. */
const STARTUP = /node:internal\/modules\/|internal\/bootstrap|tsx\/dist\/|cjs-module-lexer/;

function label(node: ProfileNode): string {
  const { functionName, url } = node.callFrame;
  const file = url.split("/").slice(-2).join("/");
  return `${functionName || "(anonymous)"}${file ? ` ${file}` : ""}`;
}

function main(): void {
  const [file, topArg] = process.argv.slice(2);
  if (!file) {
    console.error("usage: npx tsx bench/profile.ts FILE.cpuprofile [top]");
    process.exit(2);
  }
  const top = Number(topArg ?? 30);
  const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busy = 0;
  for (const id of profile.samples) {
    const leaf = byId.get(id)!;
    if (leaf.callFrame.functionName === "(idle)") continue;
    const stack: ProfileNode[] = [];
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) stack.push(byId.get(cur)!);
    if (stack.some((n) => STARTUP.test(n.callFrame.url) || n.callFrame.functionName === "evaluate")) continue;
    busy++;
    self.set(label(leaf), (self.get(label(leaf)) ?? 0) + 1);
    for (const name of new Set(stack.map(label))) inclusive.set(name, (inclusive.get(name) ?? 0) + 1);
  }
  inclusive.delete("(root)");
  const print = (title: string, counts: Map<string, number>) => {
    console.log(title);
    for (const [name, n] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(`${((100 * n) / busy).toFixed(1).padStart(6)} %  ${name}`);
    }
  };
  console.log(`${busy} busy samples (of ${profile.samples.length}), module loading left out`);
  print("self", self);
  print("inclusive", inclusive);
}

main();
