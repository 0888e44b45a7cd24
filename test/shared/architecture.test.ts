/**
 * How the chapters plug into each other (docs/maintainers.md, "Extension
 * points"):
 *
 * - shared/ imports nothing from solutions/ or chapters/, types included;
 * - importing a chapter has no side effect: importing every solutions/NN/index.ts
 *   twice, or a second copy of the whole tree in the same process, changes
 *   what no other chapter sees;
 * - the cluster's components start in an order that satisfies what each one
 *   says it needs (`after`).
 */
import { cp, readdir, readFile, rm } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHAPTERS, REPO_ROOT } from "../../shared/chapters.ts";
import { COMPONENTS } from "../../shared/cluster/index.ts";

const SOLUTIONS = join(REPO_ROOT, "solutions");

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith(".ts")).map((e) => join(e.parentPath, e.name));
}

/** Every module specifier in a file: `from "x"`, `import "x"`, `import("x")`, `export ... from "x"`. */
function specifiers(source: string): string[] {
  const found: string[] = [];
  for (const m of source.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["']([^"']+)["']/g)) found.push(m[1]!);
  return found;
}

/** The specifiers of `file` that lead into solutions/ or chapters/ (or through the @tree alias). */
function chapterImports(file: string, source: string): string[] {
  return specifiers(source).filter((spec) => {
    if (spec.startsWith("@tree/")) return true;
    if (!spec.startsWith(".")) return false;
    const top = relative(REPO_ROOT, resolve(dirname(file), spec)).split(/[\\/]/)[0];
    return top === "solutions" || top === "chapters";
  });
}

describe("shared/ imports no chapter", () => {
  it("finds an import of a chapter, type-only and import() types included (the check itself works)", () => {
    const file = join(REPO_ROOT, "shared", "cluster", "types.ts");
    expect(chapterImports(file, `export type A = import("../../solutions/03-apiserver/index.ts").ApiServer;`)).toHaveLength(1);
    expect(chapterImports(file, `import type { K } from "../../chapters/05-pods/index.ts";`)).toHaveLength(1);
    expect(chapterImports(file, `export { x } from "../../solutions/07-labels/index.ts";`)).toHaveLength(1);
    expect(chapterImports(file, `import type { Store } from "../store/types.ts";`)).toEqual([]);
  });

  it("no file under shared/ imports from solutions/ or chapters/", async () => {
    const offenders: string[] = [];
    for (const file of await filesUnder(join(REPO_ROOT, "shared"))) {
      for (const spec of chapterImports(file, await readFile(file, "utf8")))
        offenders.push(`${relative(REPO_ROOT, file)}: ${spec}`);
    }
    expect(offenders, "shared/ must declare what it needs of a chapter (shared/cluster/contracts.ts)").toEqual([]);
  });
});

/** Chapters with an index.ts in the reference tree, in order. */
const INDEXED = CHAPTERS.filter((c) => c.number !== "01" && c.number !== "04");

interface ChapterModule {
  controllers?: (options?: object) => Record<string, unknown>;
  kubeletExtensions?: (options?: object) => object;
  kubectlPlugin?: { commands?: object; flags?: unknown[]; resources?: unknown[]; describers?: object };
  fieldSelectors?: Record<string, object>;
  gcResources?: unknown[];
}

type KubectlRun = (
  argv: string[],
  io: { stdout: { write(s: string): unknown }; stderr: { write(s: string): unknown }; env: object },
  plugins?: unknown[],
) => Promise<number>;

const load = async <T>(path: string, copy = ""): Promise<T> => (await import(pathToFileURL(path).href + copy)) as T;

/** What a tree offers other chapters, as plain data: controller names, plugin contents, kubectl's help. */
async function extensionSnapshot(tree: string): Promise<unknown> {
  const modules = new Map<string, ChapterModule>();
  for (const c of INDEXED) modules.set(c.number, await load<ChapterModule>(join(tree, c.slug, "index.ts")));
  const snapshot: Record<string, unknown> = {};
  for (const [number, m] of modules) {
    snapshot[number] = {
      controllers: m.controllers ? Object.keys(m.controllers()).sort() : undefined,
      kubelet: m.kubeletExtensions
        ? Object.entries(m.kubeletExtensions()).map(([k, v]) => `${k}:${Array.isArray(v) ? v.length : typeof v}`)
        : undefined,
      kubectl: m.kubectlPlugin
        ? {
            commands: Object.keys(m.kubectlPlugin.commands ?? {}),
            flags: m.kubectlPlugin.flags?.length ?? 0,
            resources: m.kubectlPlugin.resources?.length ?? 0,
            describers: Object.keys(m.kubectlPlugin.describers ?? {}),
          }
        : undefined,
      fieldSelectors: m.fieldSelectors ? Object.keys(m.fieldSelectors) : undefined,
      gcResources: m.gcResources?.length,
    };
  }
  // kubectl without plugins knows chapter 04 only, whatever was imported before.
  const { run } = await load<{ run: KubectlRun }>(join(tree, "04-kubectl", "kubectl", "main.ts"));
  let help = "";
  await run(["--help"], { stdout: { write: (s: string) => void (help += s) }, stderr: { write: () => {} }, env: {} });
  snapshot.kubectlHelp = help;
  return snapshot;
}

describe("importing a chapter changes nothing", () => {
  const copy = join(REPO_ROOT, `.tree-copy-${process.pid}`);

  beforeAll(async () => {
    // A second tree in the same process, as verify-starters' scratch trees are:
    // one level below the root, so its imports of ../../shared still resolve.
    await cp(SOLUTIONS, copy, { recursive: true });
  });
  afterAll(() => rm(copy, { recursive: true, force: true }));

  it("every solutions/NN/index.ts, imported twice and beside a second copy of the tree, offers the same values", async () => {
    // First look: only chapters 08 and 04 loaded, nothing that could register into them.
    const replication = await load<ChapterModule>(join(SOLUTIONS, "08-replication", "index.ts"));
    const controllersFirst = Object.keys(replication.controllers!()).sort();
    expect(controllersFirst).toEqual(["garbage-collector", "replication"]);

    const before = await extensionSnapshot(SOLUTIONS);
    // Import every chapter again as a fresh module instance, and a whole second tree.
    for (const c of INDEXED) await load(join(SOLUTIONS, c.slug, "index.ts"), "?again");
    for (const c of CHAPTERS) {
      for (const file of ["index.ts", "kubectl/index.ts"]) {
        const path = join(copy, c.slug, file);
        if (
          await readFile(path).then(
            () => true,
            () => false,
          )
        )
          await load(path);
      }
    }
    const copied = await extensionSnapshot(copy);
    const after = await extensionSnapshot(SOLUTIONS);

    expect(after).toEqual(before);
    expect(copied).toEqual(before);
    // Chapters 10 and 12 used to add their controllers to chapter 08's when imported.
    expect(Object.keys(replication.controllers!()).sort()).toEqual(controllersFirst);
    expect((before as { kubectlHelp: string }).kubectlHelp).not.toMatch(/\bscale\b|\blabel\b/);
  });

  it("two trees' plug-ins on one apiserver: the second install of each is a no-op, and the server still answers", async () => {
    type Store = { close(): Promise<void> };
    const { openEmbeddedStore } = await load<{ openEmbeddedStore(o: object): Promise<Store> }>(
      join(SOLUTIONS, "02-etcd", "index.ts"),
    );
    const { startApiServer } = await load<{ startApiServer(o: object): Promise<{ url: string; close(): Promise<void> }> }>(
      join(SOLUTIONS, "03-apiserver", "index.ts"),
    );
    const store = await openEmbeddedStore({});
    const apiserver = await startApiServer({ store, host: "127.0.0.1", port: 0 });
    try {
      for (const tree of [SOLUTIONS, copy, SOLUTIONS]) {
        const labels = await load<{ installSelectors(a: unknown): void }>(join(tree, "07-labels", "index.ts"));
        const replication = await load<{ installReplication(a: unknown): void }>(join(tree, "08-replication", "index.ts"));
        const volumes = await load<{ installVolumePolicy(a: unknown): void }>(join(tree, "06-volumes", "index.ts"));
        const services = await load<{ installServices(a: unknown): void }>(join(tree, "10-services", "index.ts"));
        const secrets = await load<{ installSecrets(a: unknown): void }>(join(tree, "11-secrets", "index.ts"));
        for (const install of [
          labels.installSelectors,
          replication.installReplication,
          volumes.installVolumePolicy,
          services.installServices,
          secrets.installSecrets,
        ]) {
          expect(() => install(apiserver)).not.toThrow();
        }
      }
      const selected = await fetch(`${apiserver.url}/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-1&labelSelector=app%3Dweb`);
      expect(selected.status).toBe(200);
      const unsupported = await fetch(`${apiserver.url}/api/v1/pods?fieldSelector=spec.nope%3Dx`);
      expect(unsupported.status).toBe(400);
      expect((await fetch(`${apiserver.url}/api/v1/namespaces/default/replicationcontrollers`)).status).toBe(200);
      expect((await fetch(`${apiserver.url}/api/v1/namespaces/default/services`)).status).toBe(200);
    } finally {
      await apiserver.close();
      await store.close();
    }
  });
});

describe("the cluster's start order", () => {
  it("every component starts after the components it needs (its `after`), and names only components that exist", () => {
    const names = COMPONENTS.map((c) => c.name);
    expect(new Set(names).size, "component names are unique").toBe(names.length);
    const problems: string[] = [];
    COMPONENTS.forEach((component, i) => {
      for (const [needed, why] of Object.entries(component.after ?? {})) {
        const j = names.indexOf(needed);
        if (j < 0) problems.push(`${component.name}: after "${needed}", which is no component`);
        else if (j > i) problems.push(`${component.name} starts before ${needed}, but needs it first: ${why}`);
      }
      for (const retired of component.replaces ?? [])
        if (!names.includes(retired)) problems.push(`${component.name}: replaces "${retired}", which is no component`);
      if (!CHAPTERS.some((c) => c.number === component.chapter))
        problems.push(`${component.name}: chapter ${component.chapter} is not in shared/chapters.ts`);
    });
    expect(problems).toEqual([]);
  });

  it("the store comes first and every other component needs something before it", () => {
    expect(COMPONENTS[0]?.name).toBe("store");
    const loose = COMPONENTS.slice(1).filter((c) => Object.keys(c.after ?? {}).length === 0 && !c.prepare);
    expect(
      loose.map((c) => c.name),
      "a component that needs nothing and contributes nothing in prepare() has no reason to be where it is",
    ).toEqual([]);
  });
});

describe("a chapter's tests run on the learner's code up to that chapter", () => {
  it("no test/NN-*.ts imports a later chapter of the tree under test (@tree/MM with MM > NN)", async () => {
    const dir = join(REPO_ROOT, "test");
    const problems: string[] = [];
    for (const file of (await readdir(dir)).filter((f) => /^\d{2}-.*\.ts$/.test(f))) {
      const own = file.slice(0, 2);
      const text = await readFile(join(dir, file), "utf8");
      for (const m of text.matchAll(/["']@tree\/(\d{2})-/g)) {
        // A learner at chapter NN has only starters after it: a later chapter comes from solutions/ instead.
        if (m[1]! > own) problems.push(`test/${file} imports @tree/${m[1]}: use ../solutions/... for a later chapter's code`);
      }
    }
    expect(problems).toEqual([]);
  });
});
