/**
 * `npm ci` refuses a lock that lacks the optional packages of another
 * system, so a lock made where only one system's packages could be resolved
 * breaks every learner on the others. These native packages stand for the
 * whole set: each tool ships one package per system.
 * After a dependency change: `npm install --package-lock-only`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../shared/chapters.ts";

const lock = JSON.parse(readFileSync(join(REPO_ROOT, "package-lock.json"), "utf8")) as {
  packages: Record<string, { optional?: boolean }>;
};
const has = (name: string) => `node_modules/${name}` in lock.packages;

describe("package-lock.json", () => {
  const systems = ["darwin-arm64", "darwin-x64", "linux-x64", "linux-arm64", "win32-x64"];

  it.each(systems)("lists the native packages for %s", (system) => {
    const rollup = system.startsWith("win32")
      ? `@rollup/rollup-${system}-msvc`
      : system.startsWith("linux")
        ? `@rollup/rollup-${system}-gnu`
        : `@rollup/rollup-${system}`;
    const wanted = [rollup, `@esbuild/${system}`];
    expect(
      wanted.filter((name) => !has(name)),
      "missing from the lock: run npm install --package-lock-only",
    ).toEqual([]);
  });

  it("marks them optional, so npm ci installs only the ones for this system", () => {
    expect(lock.packages["node_modules/@rollup/rollup-darwin-arm64"]?.optional).toBe(true);
  });
});
