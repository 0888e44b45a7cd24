/**
 * The image every test and example uses: busybox. It has a shell, sleep,
 * httpd, nc, wget and ip in one static binary of about 2 MB.
 *
 * Where a registry is reachable, `busybox` is simply pulled. Where none is
 * (a classroom behind a firewall, or the machines this workshop is tested on),
 * we build the same image locally: Debian's busybox-static package ships the
 * static binary, and `docker import` turns a tar of it (plus one symlink per
 * applet: /bin/sh -> busybox, /bin/sleep -> busybox, ...) into an image.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { Readable } from "node:stream";
import type Docker from "dockerode";
import { pack } from "tar-stream";
import { pingDocker } from "./docker.ts";
import type { ImageProgress } from "./runtime/types.ts";

export const TEST_IMAGE = "busybox:latest";

/** Where Debian (busybox-static) and other distributions put the static binary. */
const STATIC_BUSYBOX_PATHS = ["/bin/busybox", "/usr/bin/busybox", "/usr/local/bin/busybox"];

/** Applets the workshop's tests and examples rely on. */
export const REQUIRED_APPLETS = ["sh", "sleep", "httpd", "nc", "wget", "ip"];

export type ImageSource = "present" | "pulled" | "imported";

/**
 * Makes sure TEST_IMAGE exists on the engine: present, else pulled, else
 * imported from a static busybox binary. Throws one readable line when none works.
 */
export async function ensureTestImage(docker: Docker, onProgress: (p: ImageProgress) => void = () => {}): Promise<ImageSource> {
  await pingDocker(docker);
  if (await imageExists(docker, TEST_IMAGE)) return "present";
  onProgress({ image: TEST_IMAGE, status: "pulling" });
  if (await tryPull(docker, TEST_IMAGE, onProgress)) return "pulled";
  const binary = findStaticBusybox();
  if (!binary) {
    throw new Error(
      `The test image ${TEST_IMAGE} is missing, no registry answered a pull, and no static busybox binary ` +
        `was found (${STATIC_BUSYBOX_PATHS.join(", ")}): install one (Debian/Ubuntu: sudo apt-get install busybox-static) ` +
        "or make `docker pull busybox` work, then try again.",
    );
  }
  await importBusybox(docker, binary, onProgress);
  return "imported";
}

export async function imageExists(docker: Docker, image: string): Promise<boolean> {
  try {
    await docker.getImage(image).inspect();
    return true;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return false;
    throw err;
  }
}

async function tryPull(docker: Docker, image: string, onProgress: (p: ImageProgress) => void): Promise<boolean> {
  try {
    const stream = await docker.pull(image);
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(
        stream,
        (err: Error | null) => (err ? reject(err) : resolve()),
        (event: { status?: string; progressDetail?: { current?: number; total?: number } }) =>
          onProgress({
            image,
            status: event.status ?? "pulling",
            current: event.progressDetail?.current,
            total: event.progressDetail?.total,
          }),
      );
    });
    return imageExists(docker, image);
  } catch {
    return false; // no registry: fall back to importing
  }
}

function findStaticBusybox(): string | undefined {
  const fromEnv = process.env.BUSYBOX_STATIC;
  const candidates = fromEnv ? [fromEnv, ...STATIC_BUSYBOX_PATHS] : STATIC_BUSYBOX_PATHS;
  return candidates.find((p) => existsSync(p) && isStatic(p));
}

/** A dynamically linked busybox would not run in an image without a libc. */
function isStatic(path: string): boolean {
  try {
    const out = execFileSync(path, ["--list"], { encoding: "utf8" });
    const applets = new Set(out.split("\n"));
    if (!REQUIRED_APPLETS.every((a) => applets.has(a))) return false;
    // An ELF file with a PT_INTERP program header is dynamically linked.
    return !readFileSync(path).subarray(0, 4096).includes(Buffer.from("/lib64/ld-linux"));
  } catch {
    return false;
  }
}

/** Builds a root filesystem tar around the binary and `docker import`s it as TEST_IMAGE. */
async function importBusybox(docker: Docker, binary: string, onProgress: (p: ImageProgress) => void): Promise<void> {
  const applets = execFileSync(binary, ["--list"], { encoding: "utf8" })
    .split("\n")
    .filter((a) => a && a !== "busybox");
  const body = readFileSync(binary);

  const tar = pack();
  const dirs = ["bin", "sbin", "usr", "usr/bin", "usr/sbin", "etc", "root", "home", "var", "var/www", "dev", "proc", "sys"];
  for (const name of dirs) tar.entry({ name, type: "directory", mode: 0o755 });
  tar.entry({ name: "tmp", type: "directory", mode: 0o1777 });
  tar.entry({ name: "etc/passwd", mode: 0o644 }, "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n");
  tar.entry({ name: "etc/group", mode: 0o644 }, "root:x:0:\nnobody:x:65534:\n");
  tar.entry({ name: "bin/busybox", mode: 0o755 }, body);
  for (const applet of applets) tar.entry({ name: `bin/${applet}`, type: "symlink", linkname: "/bin/busybox" });
  tar.finalize();

  // Build the whole tar in memory (about 2 MB) so the progress line knows the total.
  const archive = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    tar.on("data", (c: unknown) => chunks.push(c as Buffer));
    tar.on("end", () => resolve(Buffer.concat(chunks)));
    tar.on("error", reject);
  });
  const upload = Readable.from(
    chunksOf(archive, 64 * 1024, (sent) =>
      onProgress({ image: TEST_IMAGE, status: "importing", current: sent, total: archive.length }),
    ),
  );

  const [repo, tag] = TEST_IMAGE.split(":");
  const out = await docker.importImage(upload, { repo, tag, changes: ['CMD ["sh"]'] });
  const reply = await new Promise<string>((resolve, reject) => {
    let text = "";
    out.on("data", (c: Buffer) => (text += c.toString()));
    out.on("end", () => resolve(text));
    out.on("error", reject);
  });
  if (!(await imageExists(docker, TEST_IMAGE))) {
    throw new Error(`docker import of ${binary} did not produce ${TEST_IMAGE}: ${reply.trim()}`);
  }
  onProgress({ image: TEST_IMAGE, status: "imported", current: archive.length, total: archive.length });
}

function* chunksOf(buf: Buffer, size: number, onChunk: (sent: number) => void): Generator<Buffer> {
  for (let at = 0; at < buf.length; at += size) {
    const chunk = buf.subarray(at, at + size);
    onChunk(at + chunk.length);
    yield chunk;
  }
}
