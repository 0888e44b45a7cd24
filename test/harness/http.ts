/**
 * Raw HTTP against the apiserver, for tests that check exact status codes,
 * headers and bodies (no client library in between).
 */
export interface HttpResult<T = any> {
  status: number;
  headers: Headers;
  /** The parsed JSON body (undefined when the body is not JSON). */
  body: T;
  text: string;
}

export function http(base: string) {
  return async function request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<HttpResult<T>> {
    const init: RequestInit = { method, headers: { ...headers } };
    if (body !== undefined) {
      init.body = typeof body === "string" || body instanceof Uint8Array ? (body as string) : JSON.stringify(body);
      const h = init.headers as Record<string, string>;
      if (!Object.keys(h).some((k) => k.toLowerCase() === "content-type")) h["Content-Type"] = "application/json";
    }
    const res = await fetch(base + path, init);
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  };
}

/** Reads a watch stream line by line: next() resolves with the next event. */
export async function openWatch(url: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const res = await fetch(url, { signal: controller.signal, headers });
  if (!res.body) throw new Error("watch response has no body");
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  const queue: any[] = [];
  let done = false;
  async function fill(): Promise<void> {
    const { value, done: end } = await reader.read();
    if (end) {
      done = true;
      return;
    }
    buffer += decoder.decode(value, { stream: true });
    let i: number;
    while ((i = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, i).trim();
      buffer = buffer.slice(i + 1);
      if (line) queue.push(JSON.parse(line));
    }
  }
  return {
    status: res.status,
    /** The next event; rejects after timeoutMs, resolves undefined when the stream ended. */
    async next(timeoutMs = 10_000): Promise<any> {
      const deadline = Date.now() + timeoutMs;
      while (queue.length === 0 && !done) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no watch event within ${timeoutMs} ms`);
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          fill(),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no watch event within ${timeoutMs} ms`)), left);
          }),
        ]).finally(() => clearTimeout(timer));
      }
      return queue.shift();
    },
    close() {
      controller.abort();
    },
  };
}
