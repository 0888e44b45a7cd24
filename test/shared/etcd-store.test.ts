/**
 * The store behaviour suite of chapter 02 (test/harness/store-behaviour.ts)
 * against a real etcd 3.4 server, through the given adapter
 * shared/store/etcd-store.ts. The embedded store the learner builds passes the
 * same suite (test/02-etcd.test.ts): that is how the lesson can say "your store
 * behaves like etcd". This file tests shared code, not the learner's, so it is
 * not one of chapter 02's tests.
 */
import { describe } from "vitest";
import { EtcdStore } from "../../shared/store/etcd-store.ts";
import { etcdTest, type EtcdServer } from "../harness/etcd.ts";
import { describeStoreBehaviour } from "../harness/store-behaviour.ts";

const etcd = etcdTest();
let server: EtcdServer | undefined;

describe.skipIf(!etcd.available)("real etcd", () => {
  describeStoreBehaviour("real etcd through the JSON gateway", {
    async open() {
      server = await etcd.start();
      return new EtcdStore(server.endpoint);
    },
    teardown: async () => server?.stop(),
  });
});
