/**
 * The development container (.devcontainer/) is how macOS and Windows
 * learners and classrooms run the workshop. No image registry answers on the
 * machines that run these tests, so the image cannot be built here: these
 * tests read the files instead, and fail when the container would lack
 * something the workshop needs.
 *
 * The list is what `npm run doctor` checks on a learner's machine: Node.js,
 * a Docker engine, kubectl, etcd, and busybox-static (the test image is
 * built from it when no registry answers). When doctor checks a new tool,
 * add it to REQUIRED below and install it in the Dockerfile.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../shared/chapters.ts";

const dir = join(REPO_ROOT, ".devcontainer");
const read = (file: string) => readFileSync(file, "utf8");

/** Each tool that doctor checks, and how the Dockerfile provides it. */
const REQUIRED: { tool: string; aptPackage?: string; baseImage?: RegExp }[] = [
  { tool: "node", baseImage: /^node:\d+/ },
  { tool: "docker engine", aptPackage: "docker.io" },
  { tool: "kubectl", aptPackage: "kubectl" },
  { tool: "etcd", aptPackage: "etcd-server" },
  { tool: "busybox-static (the test image)", aptPackage: "busybox-static" },
];

/** The Dockerfile's instructions, with continuation lines joined and comments dropped. */
function instructions(dockerfile: string): string[] {
  return dockerfile
    .split("\n")
    .filter((line) => !line.trimStart().startsWith("#"))
    .join("\n")
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((line) => line.trim().replace(/\s+/g, " "))
    .filter((line) => line !== "");
}

/** Every package named by an `apt-get install` in a RUN instruction. */
function aptPackages(dockerfile: string): Set<string> {
  const packages = new Set<string>();
  for (const line of instructions(dockerfile).filter((l) => l.startsWith("RUN "))) {
    for (const command of line.slice(4).split(/&&|;|\|/)) {
      const words = command.trim().split(" ");
      const at = words.findIndex((w, i) => (w === "apt-get" || w === "apt") && words[i + 1] === "install");
      if (at < 0) continue;
      for (const word of words.slice(at + 2)) if (!word.startsWith("-")) packages.add(word);
    }
  }
  return packages;
}

function baseImage(dockerfile: string): string {
  const from = instructions(dockerfile).find((l) => l.startsWith("FROM "));
  return from?.split(" ")[1] ?? "";
}

describe("devcontainer", () => {
  const dockerfile = read(join(dir, "Dockerfile"));

  it.each(REQUIRED.map((r) => [r.tool, r] as const))("the Dockerfile installs %s", (_tool, required) => {
    if (required.baseImage) expect(baseImage(dockerfile)).toMatch(required.baseImage);
    if (required.aptPackage) expect([...aptPackages(dockerfile)]).toContain(required.aptPackage);
  });

  it("uses the Node.js major version of .nvmrc, which package.json's engines accepts", () => {
    const nvmrc = read(join(REPO_ROOT, ".nvmrc")).trim();
    const major = Number(/^v?(\d+)/.exec(nvmrc)?.[1]);
    expect(baseImage(dockerfile)).toMatch(new RegExp(`^node:${major}(\\D|$)`));
    // engines is "^20.19.0 || >=22.12.0": any major from 22 on is accepted.
    const engines = (JSON.parse(read(join(REPO_ROOT, "package.json"))) as { engines: { node: string } }).engines.node;
    const floor = Number(/>=(\d+)\.\d+\.\d+\s*$/.exec(engines)?.[1]);
    expect(major).toBeGreaterThanOrEqual(floor);
  });

  it("devcontainer.json is plain JSON that builds the Dockerfile and keeps its entry point", () => {
    const config = JSON.parse(read(join(dir, "devcontainer.json"))) as {
      build?: { dockerfile?: string };
      privileged?: boolean;
      overrideCommand?: boolean;
      postCreateCommand?: string;
    };
    expect(config.build?.dockerfile).toBe("Dockerfile");
    // dockerd inside the container needs a privileged container.
    expect(config.privileged).toBe(true);
    // Else the editor replaces the entry point's command, and dockerd never starts.
    expect(config.overrideCommand).toBe(false);
    expect(config.postCreateCommand).toMatch(/\bnpm ci\b/);
    expect(config.postCreateCommand).toMatch(/\bnpm run image\b/);
  });

  it("the entry point starts dockerd before it runs the container's command", () => {
    const entry = instructions(dockerfile).find((l) => l.startsWith("ENTRYPOINT "));
    expect(entry).toContain("start-docker.sh");
    expect(existsSync(join(dir, "start-docker.sh"))).toBe(true);
    const script = read(join(dir, "start-docker.sh"));
    expect(script.indexOf("dockerd")).toBeGreaterThan(-1);
    expect(script.indexOf("dockerd")).toBeLessThan(script.indexOf('exec "$@"'));
  });
});

describe("aptPackages", () => {
  it("reads packages across continuation lines and ignores options and comments", () => {
    const text = [
      "FROM node:24-bookworm",
      "# RUN apt-get install -y not-this",
      "RUN apt-get update \\",
      "  && apt-get install -y --no-install-recommends \\",
      "    docker.io \\",
      "    etcd-server \\",
      "  && rm -rf /var/lib/apt/lists/*",
      "RUN curl -fsSL x | gpg --dearmor -o k && apt-get install -y kubectl",
    ].join("\n");
    expect([...aptPackages(text)].sort()).toEqual(["docker.io", "etcd-server", "kubectl"]);
  });
});
