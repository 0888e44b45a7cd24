import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The admin's Authorization header for a cluster that `npm start` runs on
 * `dataDir`: from chapter 11 on, the apiserver wants a token, and npm start
 * writes the admin's to <data>/control-plane/tokens.csv. Before chapter 11
 * there is no such file and no header is needed.
 */
export function adminAuth(dataDir: string): Record<string, string> {
  const file = join(dataDir, "control-plane", "tokens.csv");
  if (!existsSync(file)) return {};
  const line = readFileSync(file, "utf8")
    .split("\n")
    .find((l) => l.split(",")[1] === "kubernetes-admin");
  return line ? { authorization: `Bearer ${line.split(",")[0]}` } : {};
}
