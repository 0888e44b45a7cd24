import { startRaftCluster } from "../solutions/17-consensus/server/cluster.ts";
import { Replica } from "../solutions/17-consensus/server/replica.ts";
import { FileStorage } from "../solutions/17-consensus/raft/storage.ts";
const t0 = performance.now();
const ms = () => (performance.now() - t0).toFixed(0);
let tracing = false;
const origSend = (Replica.prototype as any).send;
(Replica.prototype as any).send = function (m: any) { if (tracing && m.entries?.length !== 0) console.log(ms(), "send", m.type, m.from, "->", m.to, m.entries?.length ?? "", m.success ?? ""); return origSend.call(this, m); };
const origSave = FileStorage.prototype.save;
FileStorage.prototype.save = function (s) { const a = performance.now(); origSave.call(this, s); if (tracing) console.log(ms(), "save", (performance.now() - a).toFixed(1), "ms", s.entries.length); };
const raft = await startRaftCluster();
while (!raft.leader()) await new Promise((r) => setTimeout(r, 20));
const v = "x".repeat(2000);
for (let i = 0; i < 3; i++) await raft.store.create(`/seq/${i}`, v);
tracing = true;
for (let i = 3; i < 5; i++) { console.log(ms(), "create start"); await raft.store.create(`/seq/${i}`, v); console.log(ms(), "create done"); }
tracing = false;
await raft.close();
