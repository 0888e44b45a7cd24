/**
 * Which files a Secret or ConfigMap volume holds, and how they get there.
 *
 *   volumes:
 *   - name: creds
 *     secret:
 *       secretName: db
 *       defaultMode: 0400            # optional, default 0644
 *       items:                       # optional: only these keys, under these paths
 *       - { key: password, path: db/password }
 *
 * Without items, every key is one file named like the key. Files are
 * replaced atomically (written aside, then renamed), so a container never
 * reads half a file; a key that disappeared from the object disappears from
 * the folder. The kubelet does this again at every sync of the pod: unlike
 * environment variables, files follow changes of the Secret while the
 * container runs.
 */
import { mkdir, readdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join, normalize } from "node:path";
import type { KeyToPath } from "../../../shared/api/index.ts";
import { VolumeError } from "../../05-pods/index.ts";
import { todo } from "../../../shared/todo.ts";

export interface ProjectedFile {
  content: Buffer;
  mode: number;
}

export const DEFAULT_MODE = 0o644;

// TODO(11.7): the files of a volume, by relative path: every key, or only
// the listed items at their paths. A path must stay inside the volume (no
// absolute path, no ".."): this is a security check. Modes: item, then
// defaultMode, then DEFAULT_MODE. Tests: the "11.7" tests.
export function projectFiles(
  data: Map<string, Buffer>,
  source: { items?: KeyToPath[]; defaultMode?: number; optional?: boolean },
  what: string,
): Map<string, ProjectedFile> {
  todo("11.7");
}

/** Makes `dir` hold exactly these files: changed ones replaced atomically, stale ones removed. */
export async function writeFiles(dir: string, files: Map<string, ProjectedFile>): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [path, file] of files) {
    const target = join(dir, path);
    await mkdir(dirname(target), { recursive: true });
    const temp = join(dirname(target), `..tmp-${process.pid}-${Math.random().toString(36).slice(2)}`);
    await writeFile(temp, file.content, { mode: file.mode });
    await rename(temp, target);
  }
  const present = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
  for (const entry of present) {
    const relative = join(entry.parentPath ?? entry.path, entry.name).slice(dir.length + 1);
    if (!files.has(relative)) await rm(join(dir, relative), { force: true });
  }
}
