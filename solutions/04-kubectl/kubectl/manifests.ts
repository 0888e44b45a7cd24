/**
 * Reading manifests: the YAML (or JSON) files given to `-f`. A file may hold
 * several objects separated by `---` lines, `-f` may name a folder (every
 * .yaml, .yml and .json file in it, in name order), and `-f -` reads stdin.
 * A `kind: List` document stands for its items.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { extname, join } from "node:path";
import { parseAllDocuments } from "yaml";
import type { KubeObject } from "../../../shared/api/meta.ts";

/** An object from a manifest: any fields, but surely apiVersion, kind and metadata. */
export type ManifestObject = KubeObject & Record<string, unknown>;

export interface Manifest {
  object: ManifestObject;
  /** The file it came from ("-" for stdin), for error messages. */
  source: string;
  /** The line where its document starts (1-based). */
  line: number;
}

/** A manifest that cannot be read; the message names the file and line. */
export class ManifestError extends Error {
  override readonly name = "ManifestError";
}

const EXTENSIONS = new Set([".yaml", ".yml", ".json"]);

/** Reads every manifest behind the -f arguments, in order. */
export async function readManifests(paths: string[], readStdin?: () => Promise<string>): Promise<Manifest[]> {
  // STEP(04.6): every manifest of the paths, in order: "-" is stdin, a folder
  // gives its manifest files (filesOf()). No stdin for "-" is a ManifestError.
  // Tests: "04.6 reading manifests > reads a folder's .yaml, .yml and .json files in name order, and stdin for -".
  //#solution
  const manifests: Manifest[] = [];
  for (const path of paths) {
    if (path === "-") {
      if (!readStdin) throw new ManifestError("-f -: there is no stdin to read from");
      manifests.push(...parseManifests(await readStdin(), "-"));
      continue;
    }
    for (const file of await filesOf(path)) {
      manifests.push(...parseManifests(await readFile(file, "utf8"), file));
    }
  }
  return manifests;
  //#end
}

/** A file is itself; a folder is its manifest files, sorted by name. */
async function filesOf(path: string): Promise<string[]> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new ManifestError(`the path "${path}" does not exist`);
  }
  if (!info.isDirectory()) return [path];
  const names = (await readdir(path)).filter((name) => EXTENSIONS.has(extname(name).toLowerCase())).sort();
  if (names.length === 0) throw new ManifestError(`the folder "${path}" has no .yaml, .yml or .json file`);
  return names.map((name) => join(path, name));
}

/** Parses the documents of one file; empty documents are skipped. */
export function parseManifests(text: string, source: string): Manifest[] {
  // STEP(04.6): the manifests of one text: every YAML document, empty ones
  // skipped, a List expanded (expandList()), each with the line of its first
  // key (not of its "---"). Bad YAML is a ManifestError like
  //   pod.yaml:3:7: invalid YAML: <the first line of yaml's message>
  // (the yaml package reports where each error is).
  // Tests: "04.6 reading manifests > reads every document of a multi-document file, skips empty ones, expands a List, keeps lines",
  // "04.6 reading manifests > names the file, line and column of bad YAML, and the path that does not exist".
  //#solution
  const manifests: Manifest[] = [];
  const lineOf = (offset: number) => text.slice(0, offset).split("\n").length;
  for (const doc of parseAllDocuments(text)) {
    const error = doc.errors[0];
    if (error) {
      const pos = error.linePos?.[0];
      const where = pos ? `${source}:${pos.line}:${pos.col}` : source;
      // yaml's messages end with " at line L, column C:" and a code excerpt: keep the first sentence.
      const what = error.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
      throw new ManifestError(`${where}: invalid YAML: ${what}`);
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    const line = lineOf(doc.contents?.range?.[0] ?? doc.range[0]);
    for (const object of expandList(value, `${source}:${line}`)) manifests.push({ object, source, line });
  }
  return manifests;
  //#end
}

/** Checks a document is an object with apiVersion, kind and metadata.name; a List gives its items. */
function expandList(value: unknown, where: string): ManifestObject[] {
  if (typeof value !== "object" || Array.isArray(value) || value === null) {
    throw new ManifestError(
      `${where}: a manifest must be an object with apiVersion, kind and metadata, not ${Array.isArray(value) ? "a list" : typeof value}`,
    );
  }
  const object = value as ManifestObject;
  if (typeof object.kind !== "string" || object.kind === "")
    throw new ManifestError(`${where}: the object has no "kind" (e.g. kind: Pod)`);
  if (typeof object.apiVersion !== "string" || object.apiVersion === "") {
    throw new ManifestError(`${where}: the ${object.kind} has no "apiVersion" (e.g. apiVersion: v1)`);
  }
  if (object.kind === "List") {
    const items = (object as { items?: unknown }).items;
    if (!Array.isArray(items)) throw new ManifestError(`${where}: a List needs "items"`);
    return items.flatMap((item) => expandList(item, where));
  }
  const metadata = object.metadata;
  if (typeof metadata !== "object" || metadata === null || (!metadata.name && !metadata.generateName)) {
    throw new ManifestError(`${where}: the ${object.kind} has no metadata.name`);
  }
  return [object];
}
