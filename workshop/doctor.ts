/**
 * `npm run doctor`: checks this machine for the workshop, one line per check,
 * each failing one with its fix. `npm start` and `npm run check` run the fast
 * part first (fastChecks) and stop with its message instead of a stack trace.
 */
import { accessSync, constants, existsSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { REPO_ROOT } from "../shared/chapters.ts";
import { ETCD_BINARY } from "../shared/etcd-server.ts";
import { c, UserError } from "./ui.ts";

/**
 * The Docker client, loaded on first use: it is a slow import (about half a
 * second), and a step check of unit tests needs only the Node check.
 */
const dockerModules = () => Promise.all([import("../shared/docker.ts"), import("../shared/test-image.ts")]);

interface Finding {
  ok: boolean | "optional";
  what: string;
  /** What to do when it is not ok. */
  fix?: string;
}

/** Node's major version against package.json "engines". */
export function nodeVersion(version = process.versions.node): Finding {
  const engines =
    (JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { engines?: { node?: string } }).engines?.node ??
    ">=20";
  const wanted = /(\d+)(?:\.(\d+))?/.exec(engines);
  const [major, minor] = version.split(".").map(Number);
  const needMajor = Number(wanted?.[1] ?? 0);
  const needMinor = Number(wanted?.[2] ?? 0);
  const ok = major! > needMajor || (major === needMajor && minor! >= needMinor);
  return {
    ok,
    what: `Node ${version} (the workshop needs ${engines})`,
    fix: `install Node ${engines.replace(/[>=^~ ]/g, "")} or newer (the repository's .nvmrc names one: nvm install)`,
  };
}

async function dockerReachable(): Promise<Finding> {
  const [{ connectDocker, dockerSocketDescription, pingDocker }] = await dockerModules();
  const where = dockerSocketDescription();
  try {
    await pingDocker(connectDocker(), 3000);
    return { ok: true, what: `Docker engine answers at ${where}` };
  } catch {
    return {
      ok: false,
      what: `no Docker engine answers at ${where}`,
      fix: "start Docker (Linux: sudo systemctl start docker, or dockerd), or set DOCKER_HOST / docker context use to the engine you have",
    };
  }
}

/** The fast part: Node, and (when the command needs it) a Docker engine that answers. Throws the first failure as one line. */
export async function fastChecks(options: { docker: boolean }): Promise<void> {
  const findings = [nodeVersion(), ...(options.docker ? [await dockerReachable()] : [])];
  const bad = findings.find((f) => f.ok === false);
  if (bad) throw new UserError(`${bad.what}: ${bad.fix} (npm run doctor checks everything)`);
}

/** Starts a container that listens on a port and connects to its bridge address from here. */
async function bridgeReachable(): Promise<Finding> {
  const [{ connectDocker, runLabels }, { imageExists, TEST_IMAGE }] = await dockerModules();
  const docker = connectDocker();
  const what = "this machine reaches a container's address on a Docker bridge";
  const fix =
    "pods and Services need it. Docker Desktop (Mac, Windows) does not route to container addresses: use the devcontainer (.devcontainer/) or Docker CE inside WSL2 / a Linux VM";
  if (!(await imageExists(docker, TEST_IMAGE)))
    return { ok: false, what: `${what}: not tested, ${TEST_IMAGE} is missing`, fix: "npm run image" };
  const container = await docker.createContainer({
    Image: TEST_IMAGE,
    Cmd: ["sh", "-c", "echo ok > /tmp/i; exec httpd -f -p 8000 -h /tmp"],
    Labels: { ...runLabels(), "k8s-workshop.role": "doctor" },
  });
  try {
    await container.start();
    const ip = (await container.inspect()).NetworkSettings.Networks.bridge?.IPAddress;
    if (!ip) return { ok: false, what: `${what}: the container got no address on the default bridge`, fix };
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      if (await tcpConnects(ip, 8000, 1000)) return { ok: true, what: `${what} (${ip})` };
      await new Promise((r) => setTimeout(r, 200)); // httpd may still be starting
    }
    return { ok: false, what: `${what}: ${ip}:8000 does not answer`, fix };
  } finally {
    await container.remove({ force: true }).catch(() => {});
  }
}

function tcpConnects(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once("connect", () => done(true));
    socket.once("timeout", () => done(false));
    socket.once("error", () => done(false));
  });
}

function devShm(): Finding {
  try {
    accessSync("/dev/shm", constants.W_OK);
    return { ok: true, what: "/dev/shm is writable" };
  } catch {
    return {
      ok: false,
      what: "/dev/shm is missing or read-only",
      fix: "the test runner's workers need it: in a container, run it with --shm-size=256m or use the devcontainer",
    };
  }
}

async function testImage(): Promise<Finding> {
  const [{ connectDocker }, { imageExists, TEST_IMAGE }] = await dockerModules();
  const ok = await imageExists(connectDocker(), TEST_IMAGE);
  return {
    ok,
    what: `the test image ${TEST_IMAGE} ${ok ? "is on the engine" : "is missing"}`,
    fix: "npm run image (it builds one when no registry answers)",
  };
}

function tool(name: string, path: string, forWhat: string, install: string): Finding {
  const ok = existsSync(path);
  return { ok: ok || "optional", what: `${name} ${ok ? `at ${path}` : "not found"} (optional: ${forWhat})`, fix: install };
}

export async function doctor(options: { fast?: boolean } = {}): Promise<boolean> {
  const findings: Finding[] = [nodeVersion()];
  const docker = await dockerReachable();
  findings.push(docker);
  if (!options.fast) {
    findings.push(devShm());
    if (docker.ok === true) {
      findings.push(await testImage());
      findings.push(
        await bridgeReachable().catch((err: Error) => ({
          ok: false,
          what: `could not test the bridge: ${err.message}`,
          fix: "npm run image, then npm run doctor again",
        })),
      );
    }
    findings.push(
      tool(
        "kubectl",
        process.env.KUBECTL ?? "/usr/bin/kubectl",
        "the real kubectl against your cluster",
        "https://kubernetes.io/docs/tasks/tools/ (or apt-get install kubectl)",
      ),
    );
    findings.push(tool("etcd", ETCD_BINARY, "chapter 02 compares your store with a real etcd", "apt-get install etcd-server"));
  }
  for (const f of findings) {
    const mark = f.ok === true ? c.green("ok  ") : f.ok === "optional" ? c.yellow("--  ") : c.red("FAIL");
    console.log(`${mark} ${f.what}${f.ok === true ? "" : c.dim(`\n       fix: ${f.fix}`)}`);
  }
  const failed = findings.filter((f) => f.ok === false).length;
  console.log(
    failed
      ? c.red(`\n${failed} problem(s): fix them, then npm run doctor again.`)
      : c.green("\nThis machine is ready for the workshop."),
  );
  return failed === 0;
}
