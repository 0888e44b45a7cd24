/**
 * Every command's arguments and usage, parsed with node:util parseArgs in
 * strict mode: an unknown flag or a typo is an error that lists the valid
 * ones, and `--help` prints the command's usage without running anything.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UserError } from "./ui.ts";

type Options = NonNullable<ParseArgsConfig["options"]>;

export interface CommandSpec {
  /** One line: what it does. */
  summary: string;
  /** The positional arguments, as shown in the usage ("[NN | NN.k]"). */
  args: string;
  /** How many positional arguments at most. */
  maxPositionals: number;
  options: Options;
  /** flag -> what it does, for the usage. */
  describe: Record<string, string>;
  /** Extra lines under the usage (examples). */
  more?: string[];
}

const verbose = { verbose: { type: "boolean", short: "v" } } as const;

export const COMMANDS: Record<string, CommandSpec> = {
  check: {
    summary: "run a chapter's tests (or one step's) against your code",
    args: "[NN | NN.k]",
    maxPositionals: 1,
    options: { ...verbose, all: { type: "boolean" }, challenges: { type: "boolean" } },
    describe: {
      "--all": "run every earlier chapter again too (by default an unchanged one counts as passed)",
      "--challenges": "also run the chapter's optional challenge tests",
      "--verbose, -v": "list every test with its duration, and the skipped ones with the reason",
    },
    more: [
      "npm run check 05        chapter 05 (chapters 01-04 count as passed when unchanged)",
      "npm run check 05.2      only the tests of step 05.2",
    ],
  },
  watch: {
    summary: "check again on every save: the current step first, then the chapter",
    args: "[NN]",
    maxPositionals: 1,
    options: { ...verbose },
    describe: { "--verbose, -v": "as for check" },
  },
  hint: {
    summary: "one more hint for a step",
    args: "NN.k",
    maxPositionals: 1,
    options: { reset: { type: "boolean" } },
    describe: { "--reset": "start the hints of this step from the first one again" },
  },
  solve: {
    summary: "copy the reference solution of a chapter (your files are backed up first)",
    args: "NN",
    maxPositionals: 1,
    options: {},
    describe: {},
  },
  reset: {
    summary: "restore the untouched starter of a chapter (your files are backed up first)",
    args: "NN",
    maxPositionals: 1,
    options: {},
    describe: {},
  },
  progress: { summary: "where you are in every chapter", args: "", maxPositionals: 0, options: {}, describe: {} },
  image: {
    summary: "make sure the test image (busybox) is on the Docker engine",
    args: "",
    maxPositionals: 0,
    options: {},
    describe: {},
  },
  doctor: {
    summary: "check this machine: Node, Docker, the network to containers, tools",
    args: "",
    maxPositionals: 0,
    options: { fast: { type: "boolean" } },
    describe: { "--fast": "only the checks that take no time (npm start and check run these first)" },
  },
  up: {
    summary: "bring up the cluster until Ctrl-C (npm start)",
    args: "",
    maxPositionals: 0,
    options: {
      tree: { type: "string" },
      upto: { type: "string" },
      port: { type: "string" },
      data: { type: "string" },
      store: { type: "string" },
      fresh: { type: "boolean" },
      kubeconfig: { type: "string" },
      "dashboard-port": { type: "string" },
      "no-dashboard": { type: "boolean" },
    },
    describe: {
      "--tree solutions|chapters": "run the reference (default) or your own code",
      "--upto NN": "start the components of chapters up to NN (default: every chapter, or your finished ones)",
      "--port N": "the apiserver's port (default 8080; 0 picks a free one)",
      "--data DIR": "the store's folder (default .cluster/data)",
      "--fresh": "start with an empty store",
      "--store embedded|etcd-cluster":
        "the embedded store (default), or three real etcd members (chapter 16; a fresh, temporary cluster)",
      "--kubeconfig FILE": "where to write the kubeconfig (default .kube/config)",
      "--dashboard-port N": "the dashboard's port on 127.0.0.1 (default 8090; 0 picks a free one)",
      "--no-dashboard": "no dashboard",
    },
  },
  top: {
    summary: "the cluster's nodes, pods, controllers and services in the terminal, live",
    args: "",
    maxPositionals: 0,
    options: { kubeconfig: { type: "string" }, server: { type: "string" } },
    describe: {
      "--kubeconfig FILE": "the cluster to show (default $KUBECONFIG, else .kube/config of npm start)",
      "--server URL": "an apiserver without authentication",
    },
  },
  help: { summary: "this list", args: "", maxPositionals: 0, options: {}, describe: {} },
  "gen-starters": {
    summary: "(maintainers) generate chapters/ from solutions/",
    args: "[NN]",
    maxPositionals: 1,
    options: {},
    describe: {},
  },
  "lint-lessons": {
    summary: "(maintainers) check the lessons' plain English",
    args: "[NN]",
    maxPositionals: 1,
    options: {},
    describe: {},
  },
  i18n: {
    summary: "(maintainers) check or stamp the translated lessons (zh-CN)",
    args: "check [NN] | stamp <NN | file>...",
    maxPositionals: 20,
    options: {},
    describe: {},
    more: [
      "npm run i18n -- check         every translation in sync with its English file",
      "npm run i18n -- stamp 05      after updating chapter 05's translations: record the English they match",
    ],
  },
  "verify-starters": {
    summary: "(maintainers) prove every test fails on its starter",
    args: "[NN]",
    maxPositionals: 1,
    options: {},
    describe: {},
  },
  "verify-steps": {
    summary: "(maintainers) prove each step's tests pass once it and the steps before it are done",
    args: "NN",
    maxPositionals: 1,
    options: {},
    describe: {},
  },
};

/** The npm script that runs a command, for usage lines. */
export function npmCommand(name: string): string {
  return name === "up" ? "npm start" : `npm run ${name.replace(/^(gen|verify|lint)-/, "$1:")}`;
}

export function usage(name: string): string {
  const spec = COMMANDS[name]!;
  const flagsHint = Object.keys(spec.describe).length ? " [options]" : "";
  const dashes = spec.args || flagsHint ? (name === "up" ? " --" : " --") : "";
  const lines = [
    `usage: ${npmCommand(name)}${spec.args ? ` ${spec.args}` : ""}${flagsHint ? `${dashes}${flagsHint}` : ""}`,
    `  ${spec.summary}`,
  ];
  if (Object.keys(spec.describe).length) {
    lines.push(
      `options (after --, as in ${npmCommand(name)}${spec.args ? ` ${spec.args.replace(/[[\]]/g, "").split(" ")[0]}` : ""} -- ${Object.keys(spec.describe)[0]!.split(/[ ,]/)[0]}):`,
    );
    const width = Math.max(...Object.keys(spec.describe).map((k) => k.length));
    for (const [flag, text] of Object.entries(spec.describe)) lines.push(`  ${flag.padEnd(width)}  ${text}`);
  }
  lines.push(
    "  --help" + " ".repeat(Math.max(2, 2 + Math.max(0, ...Object.keys(spec.describe).map((k) => k.length)) - 6)) + "this usage",
  );
  if (spec.more) lines.push("examples:", ...spec.more.map((l) => `  ${l}`));
  return lines.join("\n");
}

export function allUsage(): string {
  const learner = Object.entries(COMMANDS).filter(([, s]) => !s.summary.startsWith("(maintainers)"));
  const maintainer = Object.entries(COMMANDS).filter(([, s]) => s.summary.startsWith("(maintainers)"));
  const row = ([name, s]: [string, CommandSpec]) =>
    `  ${`${npmCommand(name)}${s.args ? ` ${s.args}` : ""}`.padEnd(34)} ${s.summary.replace("(maintainers) ", "")}`;
  return [
    "usage: npm run <command> [argument] [-- options]",
    ...learner.map(row),
    "maintainers:",
    ...maintainer.map(row),
    "Every command answers --help (npm run check -- --help). Colours: NO_COLOR=1 turns them off, FORCE_COLOR=1 on.",
  ].join("\n");
}

export interface Parsed {
  help: boolean;
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
}

/** Parses a command's arguments, or throws a UserError that lists the valid options. */
export function parseCommand(name: string, argv: string[]): Parsed {
  const spec = COMMANDS[name]!;
  const valid = () => ["--help", ...Object.keys(spec.describe).map((k) => k.split(" ")[0]!.replace(/,$/, ""))].join(", ");
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...spec.options, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const flag = /'([^']+)'/.exec(e.message)?.[1] ?? "";
    if (e.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION")
      throw new UserError(`unknown option ${flag} for ${npmCommand(name)}: valid options are ${valid()}`);
    if (e.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE")
      throw new UserError(
        `${flag.split(" ")[0]} ${/needs|argument missing/.test(e.message) ? "needs a value" : "takes no value"} (see ${npmCommand(name)} -- --help)`,
      );
    throw new UserError(`${e.message} (see ${npmCommand(name)} -- --help)`);
  }
  const values = parsed.values as Parsed["values"];
  if (!values.help && parsed.positionals.length > spec.maxPositionals) {
    const extra = parsed.positionals.slice(spec.maxPositionals).join(" ");
    throw new UserError(
      `${npmCommand(name)} takes ${spec.maxPositionals === 0 ? "no argument" : `at most ${spec.args}`}, not "${extra}" (see ${npmCommand(name)} -- --help)`,
    );
  }
  return { help: Boolean(values.help), positionals: parsed.positionals, values };
}
