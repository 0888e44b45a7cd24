/**
 * `npm run bench`: measures the reference cluster on this machine. Every
 * figure is printed beside an anchor measured in the same run (raw Docker,
 * a real etcd, ...), so that the ratio holds even on a busy machine.
 *
 *   npm run bench                    the full sizes (several minutes)
 *   npm run bench -- --quick         smaller sizes (under 3 minutes)
 *   npm run bench -- --only store,scale
 *   BENCH_CPU_PROF=/tmp/prof npm run bench -- --only writes    profile the control plane
 *
 * Results: a table on stdout and the same figures as JSON in
 * bench/results/<timestamp>.json (git-ignored). Figures are in bench/figures/,
 * one file each; docs/benchmarks.md records the figures of a full run.
 */
import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { apiserverWritesFigure } from "./figures/apiserver-writes.ts";
import { haWritesFigure } from "./figures/ha-writes.ts";
import { podStartupFigure } from "./figures/pod-startup.ts";
import { raftFigure } from "./figures/raft.ts";
import { scaleFigure } from "./figures/scale.ts";
import { schedulerFigure } from "./figures/scheduler.ts";
import { storeFigure } from "./figures/store.ts";
import { watchFanOutFigure } from "./figures/watch-fanout.ts";
import { cleanupAll, cleanupOnSignals, isStopping } from "./lib/cleanup.ts";
import type { BenchContext, Figure, FigureResult, Row } from "./lib/types.ts";
import { c, progressLine, table } from "../workshop/ui.ts";

const FIGURES: Figure[] = [
  podStartupFigure,
  apiserverWritesFigure,
  haWritesFigure,
  storeFigure,
  watchFanOutFigure,
  schedulerFigure,
  scaleFigure,
  raftFigure,
];

function usage(problem?: string): never {
  const lines = [
    "usage: npm run bench -- [--quick | --full] [--only NAME[,NAME...]]",
    "",
    ...FIGURES.map((f) => `  ${f.name.padEnd(12)} ${f.description}`),
  ];
  if (problem) {
    console.error(`npm run bench: ${problem}\n${lines.join("\n")}`);
    process.exit(1);
  }
  console.log(lines.join("\n"));
  process.exit(0);
}

function parseArgs(argv: string[]): { mode: "quick" | "full"; only: Figure[] } {
  let mode: "quick" | "full" = "full";
  let only = FIGURES;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--quick") mode = "quick";
    else if (arg === "--full") mode = "full";
    else if (arg === "--help" || arg === "-h") usage();
    else if (arg === "--only" || arg.startsWith("--only=")) {
      const value = arg.includes("=") ? arg.slice("--only=".length) : argv[++i];
      if (!value) usage("--only needs a figure name");
      const names = value.split(",").map((s) => s.trim());
      const unknown = names.filter((n) => !FIGURES.some((f) => f.name === n));
      if (unknown.length > 0) usage(`no figure named ${unknown.join(", ")}`);
      only = FIGURES.filter((f) => names.includes(f.name));
    } else usage(`unknown argument ${arg}`);
  }
  return { mode, only };
}

/** 1234.5 -> "1,235"; small values keep a decimal or two. */
function num(n: number): string {
  if (!Number.isFinite(n)) return "-";
  if (Math.abs(n) >= 100) return Math.round(n).toLocaleString("en-US");
  if (Math.abs(n) >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

function formatValue(value: number, unit: string): string {
  if (unit === "bytes") return `${(value / 1024 / 1024).toFixed(0)} MiB`;
  return `${num(value)} ${unit}`;
}

function tableRow(row: Row): string[] {
  const met = row.met === undefined ? "" : row.met ? c.green("yes") : c.red("NO");
  return [
    row.figure,
    c.bold(formatValue(row.value, row.unit)),
    row.anchor ? `${formatValue(row.anchor.value, row.anchor.unit)} (${row.anchor.label})` : "",
    row.ratio === undefined ? "" : `${row.ratio.toFixed(2)}x`,
    row.goal,
    met,
    c.dim(row.note ?? ""),
  ];
}

async function main(): Promise<void> {
  const { mode, only } = parseArgs(process.argv.slice(2));
  const runId = randomBytes(4).toString("hex");
  cleanupOnSignals();
  const line = progressLine();
  const ctx: BenchContext = {
    mode,
    runId,
    progress: (text) => line.update(c.dim(text)),
    step: (text) => line.done(c.dim(text)),
  };
  const machine = {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? "unknown",
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
  console.log(
    c.bold(
      `npm run bench (${mode} mode, run ${runId}) on ${machine.cores} cores, ${machine.memoryGiB} GiB, node ${machine.node}`,
    ),
  );

  const started = Date.now();
  const results: (FigureResult & { seconds: number })[] = [];
  let failed = false;
  for (const figure of only) {
    if (isStopping()) return;
    const t0 = Date.now();
    ctx.step(c.bold(`[${figure.name}] ${figure.description}`));
    try {
      const result = await figure.run(ctx);
      results.push({ ...result, seconds: (Date.now() - t0) / 1000 });
      if (result.skipped) ctx.step(c.yellow(`[${figure.name}] skipped: ${result.skipped}`));
    } catch (err) {
      failed = true;
      const message = err instanceof Error ? err.message : String(err);
      line.done(c.red(`[${figure.name}] failed: ${message}`));
      results.push({
        name: figure.name,
        rows: [],
        details: {},
        skipped: `failed: ${message}`,
        seconds: (Date.now() - t0) / 1000,
      });
    } finally {
      await cleanupAll((text) => line.done(c.yellow(text)));
    }
  }
  if (isStopping()) return;
  const seconds = (Date.now() - started) / 1000;

  const rows = results.flatMap((r) =>
    r.skipped ? [[r.name, c.yellow("skipped"), "", "", "", "", r.skipped]] : r.rows.map(tableRow),
  );
  console.log();
  console.log(table(["figure", "measured", "anchor (same run)", "ratio", "goal", "met", "notes"], rows));

  const dir = fileURLToPath(new URL("./results/", import.meta.url));
  await mkdir(dir, { recursive: true });
  const file = `${dir}${new Date(started).toISOString().replace(/[:.]/g, "-")}-${mode}.json`;
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`;
  await writeFile(
    file,
    JSON.stringify({ command, mode, runId, machine, date: new Date(started).toISOString(), seconds, figures: results }, null, 2) +
      "\n",
  );
  console.log(c.dim(`\n${seconds.toFixed(0)} s; figures written to ${file}`));
  if (failed) process.exitCode = 1;
}

main().catch(async (err: Error) => {
  console.error(c.red(`npm run bench: ${err.message}`));
  await cleanupAll();
  process.exit(1);
});
