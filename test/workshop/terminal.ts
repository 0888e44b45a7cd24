/**
 * A real pseudo-terminal for tests of Ctrl-C: a tmux session on a socket of
 * its own. `keys("C-c")` is what a learner's Ctrl-C is: the terminal sends
 * SIGINT to the whole foreground process group (npm, sh and node).
 * The pane's output is copied to a file (pipe-pane), so the program still
 * writes to a terminal while the test reads everything it printed.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { waitFor } from "../harness/wait.ts";

export function tmuxAvailable(): boolean {
  return spawnSync("tmux", ["-V"]).status === 0;
}

export interface Terminal {
  /** Everything printed so far. */
  output(): string;
  /** Types keys, as tmux send-keys does ("npm start" , "Enter", "C-c"). */
  keys(...keys: string[]): void;
  /** Runs a shell command line in the terminal. */
  type(line: string): void;
  /** Waits until the output matches. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Waits until the shell is back at its prompt: the foreground command ended. */
  waitForPrompt(timeoutMs?: number): Promise<void>;
  kill(): void;
}

const PROMPT = "READY$ ";

/**
 * Opens a shell in a detached tmux session and returns once it shows its
 * prompt. Waiting matters: type() counts the prompts seen so far, and a
 * first prompt that arrives after that count would look like the typed
 * command had already ended.
 */
export async function openTerminal(dir: string, env: Record<string, string> = {}): Promise<Terminal> {
  const socket = `k8s-workshop-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const log = join(dir, `${socket}.log`);
  writeFileSync(log, "");
  const tmux = (...args: string[]) => {
    const r = spawnSync("tmux", ["-L", socket, ...args], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`tmux ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };
  const exports = Object.entries({ ...env, PS1: PROMPT })
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(" ");
  tmux("new-session", "-d", "-s", "t", "-x", "200", "-y", "50", "-c", dir, `env ${exports} bash --norc --noprofile -i`);
  tmux("pipe-pane", "-t", "t", "-o", `cat >> ${log}`);
  let prompts = 0;
  const output = () => (existsSync(log) ? readFileSync(log, "utf8") : "");
  const count = () => output().split(PROMPT).length - 1;
  const term: Terminal = {
    output,
    keys: (...keys) => void tmux("send-keys", "-t", "t", ...keys),
    type(line) {
      prompts = count();
      tmux("send-keys", "-t", "t", "-l", line);
      tmux("send-keys", "-t", "t", "Enter");
    },
    waitFor: (pattern, timeoutMs = 60_000) =>
      waitFor(`the terminal to show ${pattern}`, () => pattern.exec(output()) ?? undefined, { timeoutMs }),
    async waitForPrompt(timeoutMs = 60_000) {
      await waitFor("the shell prompt to come back", () => count() > prompts, { timeoutMs });
    },
    kill: () => void spawnSync("tmux", ["-L", socket, "kill-server"]),
  };
  // The first prompt may be printed before pipe-pane starts copying: an empty
  // line makes the shell print a fresh one into the log.
  tmux("send-keys", "-t", "t", "Enter");
  try {
    await waitFor("the shell to show its first prompt", () => count() > 0, { timeoutMs: 30_000 });
  } catch (err) {
    term.kill();
    throw err;
  }
  return term;
}
