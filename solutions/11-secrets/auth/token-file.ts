/**
 * Static bearer tokens from a file, like the apiserver's --token-auth-file.
 * One CSV line per token:
 *
 *   token,user,uid,"group1,group2"
 *   31ada4fd-adec-460c-809a-9e56ceb75269,alice,1001,"developers,system:masters"
 *
 * The groups column is optional (quoted when it holds several groups).
 * Anyone who has a token IS that user to the apiserver, so the file is as
 * secret as the tokens in it (mode 0600), and a token is never logged.
 */
import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

export interface StaticToken {
  token: string;
  user: string;
  uid: string;
  groups: string[];
}

/** Splits one CSV line into fields: commas separate, double quotes protect commas ("" is a quote). */
export function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let current = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        current += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else current += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      fields.push(current);
      current = "";
    } else current += ch;
  }
  if (quoted) throw new Error("a quoted field is not closed");
  fields.push(current);
  return fields.map((f) => f.trim());
}

// STEP(11.1): the token file's entries: token,user,uid[,"group1,group2"],
// with blank lines and # comments allowed. A bad or duplicate line is an
// Error naming the line (`${source}:${n}: ...`), and NEVER the token: error
// messages end up in logs. Tests: the "11.1" tests.
export function parseTokenFile(text: string, source = "token file"): StaticToken[] {
  //#solution
  const tokens: StaticToken[] = [];
  const seen = new Set<string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const where = `${source}:${i + 1}`;
    let fields: string[];
    try {
      fields = splitCsvLine(line);
    } catch (err) {
      throw new Error(`${where}: ${(err as Error).message}`);
    }
    const [token = "", user = "", uid = "", groups = ""] = fields;
    if (fields.length < 3) throw new Error(`${where}: expected token,user,uid[,"group1,group2"], got ${fields.length} field(s)`);
    if (!token || !user) throw new Error(`${where}: the token and the user name must not be empty`);
    if (seen.has(token)) throw new Error(`${where}: this token is already given to another line`);
    seen.add(token);
    tokens.push({ token, user, uid, groups: groups.split(",").map((g) => g.trim()).filter((g) => g !== "") });
  });
  return tokens;
  //#end
}

/** One line of the file for this token. */
export function tokenLine(t: StaticToken): string {
  return `${t.token},${t.user},${t.uid},"${t.groups.join(",")}"`;
}

/** A new random token: 32 bytes as hex, unguessable. */
export function newToken(): string {
  return randomBytes(32).toString("hex");
}

export async function readTokenFile(path: string): Promise<StaticToken[] | undefined> {
  try {
    return parseTokenFile(await readFile(path, "utf8"), path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

/**
 * Makes sure the token file has a token for each wanted user (adding a new
 * random one where it has none) and returns every token in it.
 */
export async function ensureTokens(path: string, wanted: Omit<StaticToken, "token">[]): Promise<StaticToken[]> {
  const tokens = (await readTokenFile(path)) ?? [];
  const missing = wanted.filter((w) => !tokens.some((t) => t.user === w.user));
  if (missing.length > 0 || tokens.length === 0) {
    tokens.push(...missing.map((w) => ({ ...w, token: newToken() })));
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const header = "# token,user,uid,groups: who a bearer token is (like kube-apiserver --token-auth-file)\n";
    await writeFile(path, header + tokens.map(tokenLine).join("\n") + "\n", { mode: 0o600 });
    await chmod(path, 0o600);
  }
  return tokens;
}
