/**
 * A watch stream that only notices when an event's line has arrived, for the
 * watch fan-out figure. It asks the server for exactly what chapter 04's
 * Watch asks for (same path, same query), so the server does the same work
 * for it, but it does not parse the JSON.
 *
 * Why: in a real cluster 1,000 watchers are 1,000 processes on other
 * machines, each parsing its own copy of an event in parallel. Here they all
 * share one thread of the bench process; parsing 1,000 copies there measured
 * the bench process, not the server's fan-out. A watcher that finds the end
 * of the line that names the pod costs a byte search instead of a JSON.parse.
 * (A sample of full chapter 04 Watches runs beside these ones and checks that
 * every event decodes: see figures/watch-fanout.ts.)
 */
import http from "node:http";

const NEWLINE = 0x0a;

export interface RawWatchOptions {
  /** The whole URL of the watch (with ?watch=1 and the query chapter 04's Watch sends). */
  url: URL;
  agent: http.Agent;
  /** Called once a complete line has arrived; `line` is its bytes, without the newline. */
  onLine(line: Buffer): void;
  /** The stream failed or ended: a raw watch does not reconnect, so the figure fails. */
  onEnd(err: Error): void;
}

export class RawWatch {
  connected = false;
  private request: http.ClientRequest | undefined;
  private stopped = false;
  /** The start of a line whose end has not arrived yet. */
  private partial: Buffer[] = [];

  constructor(private readonly options: RawWatchOptions) {
    const { url, agent, onEnd } = options;
    const fail = (err: Error) => {
      if (!this.stopped) onEnd(err);
      this.stopped = true;
    };
    this.request = http.get(url, { agent }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return fail(new Error(`watch ${url.pathname}: HTTP ${res.statusCode}`));
      }
      this.connected = true;
      res.on("data", (chunk: Buffer) => this.take(chunk));
      res.on("end", () => fail(new Error(`watch ${url.pathname}: the server ended the stream`)));
      res.on("error", fail);
    });
    this.request.on("error", fail);
  }

  /** Splits the bytes at newlines; only a line's bytes are joined, and only when it came in several chunks. */
  private take(chunk: Buffer): void {
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE); nl >= 0; nl = chunk.indexOf(NEWLINE, start)) {
      const tail = chunk.subarray(start, nl);
      const line = this.partial.length === 0 ? tail : Buffer.concat([...this.partial, tail]);
      this.partial = [];
      start = nl + 1;
      if (line.length > 0) this.options.onLine(line);
    }
    if (start < chunk.length) this.partial.push(chunk.subarray(start));
  }

  stop(): void {
    this.stopped = true;
    this.request?.destroy();
    this.request = undefined;
  }
}
