/**
 * Runs the simulator once and prints what happened (given code: run it).
 *
 *   npx tsx chapters/17-consensus/sim/main.ts --seed 7 --trace
 *   npx tsx chapters/17-consensus/sim/main.ts --seeds 1-100      many runs, one line each
 *   npm run soak:raft                                           5,000 runs of the reference, broken ones only
 *
 * --trace prints every election, crash, partition and heal with its time
 * (one tick is 10 time units).
 */
import { simulate } from "./simulation.ts";

function usage(problem: string): never {
  console.error(
    `sim: ${problem}\nusage: npx tsx chapters/17-consensus/sim/main.ts [--seed N | --seeds A-B] [--trace] [--quiet] [--no-partitions] [--no-crashes]`,
  );
  process.exit(2);
}

const args = process.argv.slice(2);
let from = 1;
let to = 1;
let trace = false;
let partitions = true;
let crashes = true;
let quiet = false;
for (let i = 0; i < args.length; i++) {
  const arg = args[i]!;
  if (arg === "--seed") {
    from = to = Number(args[++i]);
  } else if (arg === "--seeds") {
    const m = /^(\d+)-(\d+)$/.exec(args[++i] ?? "");
    if (!m) usage("--seeds wants a range such as 1-100");
    from = Number(m[1]);
    to = Number(m[2]);
  } else if (arg === "--trace") trace = true;
  else if (arg === "--no-partitions") partitions = false;
  else if (arg === "--no-crashes") crashes = false;
  else if (arg === "--quiet") quiet = true;
  else usage(`unknown argument ${arg}`);
}
if (!Number.isInteger(from) || !Number.isInteger(to) || from > to) usage("a seed is a whole number");

let failures = 0;
for (let seed = from; seed <= to; seed++) {
  try {
    const run = simulate({ seed, partitions, crashes, ...(trace ? { trace: (line: string) => console.log(line) } : {}) });
    const verdict = run.check.ok && !run.electionSafety && !run.liveness ? "linearizable" : "BROKEN";
    if (verdict !== "linearizable") failures++;
    if (quiet && verdict === "linearizable") continue;
    console.log(
      `seed ${seed}: ${run.history.length} operations, ${run.acknowledgedPuts} acknowledged writes, ${run.leaders.size} leaders: ${verdict}`,
    );
    if (!run.check.ok) {
      console.log(`  the history of key ${run.check.key} has no valid order:`);
      for (const op of run.check.operations!) {
        console.log(`    ${op.client} ${op.kind} ${op.value}  called ${op.call}, answered ${op.answer}`);
      }
    }
    if (run.electionSafety) console.log(`  ${run.electionSafety}`);
    if (run.liveness) console.log(`  ${run.liveness}`);
  } catch (err) {
    console.error(`seed ${seed}: ${(err as Error).message}`);
    process.exit(1);
  }
}
console.log(`${to - from + 1} run(s), ${failures} broken`);
process.exit(failures > 0 ? 1 : 0);
