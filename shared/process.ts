/**
 * Whether a process still exists. The sweepers use it to tell what a killed
 * run left behind (Docker objects, etcd and cluster folders) from what a
 * running one still uses.
 */

/** True while a process with this pid exists (EPERM: it exists, but belongs to someone else). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
