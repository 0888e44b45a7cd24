// A UDP and TCP relay from a privileged port (below 1024) to an ordinary
// one. Run by shared/cluster/privileged-port.ts inside a container that
// shares the host's network namespace, with the host's own Node.js: there,
// root may bind port 53 without any change to the host.
//
//   node privileged-port-forwarder.mjs <listen ip> <listen port> <target ip> <target port> <parent pid>
//
// Plain JavaScript (no TypeScript loader in the container). It ends by
// itself when the parent process is gone.
import dgram from "node:dgram";
import { existsSync } from "node:fs";
import net from "node:net";

const [listenHost, listenPort, targetHost, targetPort, parentPid] = process.argv.slice(2);
const port = Number(listenPort);
const target = { host: targetHost, port: Number(targetPort) };

// UDP: one upstream socket per client address, so each answer finds its way back.
const udp = dgram.createSocket("udp4");
const upstreams = new Map();
udp.on("message", (msg, peer) => {
  const key = `${peer.address}:${peer.port}`;
  let up = upstreams.get(key);
  if (!up) {
    const socket = dgram.createSocket("udp4");
    socket.on("message", (reply) => udp.send(reply, peer.port, peer.address));
    socket.on("error", () => {});
    up = { socket, timer: undefined };
    upstreams.set(key, up);
  }
  clearTimeout(up.timer);
  up.timer = setTimeout(() => {
    up.socket.close();
    upstreams.delete(key);
  }, 10_000);
  up.socket.send(msg, target.port, target.host);
});
udp.on("error", (err) => {
  console.error(`udp ${listenHost}:${port}: ${err.message}`);
  process.exit(1);
});

// TCP: join each connection to a new one to the target.
const tcp = net.createServer({ allowHalfOpen: true }, (client) => {
  const server = net.connect({ ...target, allowHalfOpen: true });
  for (const s of [client, server]) s.on("error", () => {});
  client.once("close", () => server.destroy());
  server.once("close", () => client.destroy());
  client.pipe(server);
  server.pipe(client);
});
tcp.on("error", (err) => {
  console.error(`tcp ${listenHost}:${port}: ${err.message}`);
  process.exit(1);
});

udp.bind(port, listenHost, () => {
  tcp.listen(port, listenHost, () => console.log("ready"));
});

// The host's /proc: the parent's pid is there while it runs.
setInterval(() => {
  if (!existsSync(`/proc/${parentPid}`)) process.exit(0);
}, 2_000).unref();
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => process.exit(0));
