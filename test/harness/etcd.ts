/**
 * A real etcd server for tests: one member on 127.0.0.1, free ports, a temp
 * data dir; stop() kills it and deletes the dir.
 *
 *   const etcd = etcdTest();
 *   describe.skipIf(!etcd.available)("...", () => {
 *     let server: EtcdServer;
 *     beforeAll(async () => (server = await etcd.start()));
 *     afterAll(() => server?.stop());
 *   });
 *
 * Without /usr/bin/etcd (Debian: apt-get install etcd-server) the tests skip
 * with a message, except under CI=true where a missing etcd fails the run.
 */
import { existsSync } from "node:fs";
import { ETCD_BINARY, startEtcd, type EtcdServer } from "../../shared/etcd-server.ts";

// The server itself lives in shared/ (the benchmarks start one too).
export { ETCD_BINARY, startEtcd, type EtcdServer };

export function etcdTest(): { available: boolean; start: () => Promise<EtcdServer> } {
  const available = existsSync(ETCD_BINARY);
  if (!available) {
    if (process.env.CI === "true") {
      throw new Error(`CI=true but ${ETCD_BINARY} is missing: CI must run the etcd tests (apt-get install etcd-server)`);
    }
    console.warn(`${ETCD_BINARY} not found: skipping the real-etcd tests (apt-get install etcd-server to run them).`);
  }
  return { available, start: startEtcd };
}
