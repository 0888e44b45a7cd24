/**
 * Streamed JSON answers, for lists. A list of 150,000 pods is about 100 MiB
 * of JSON. Built as one string, the server holds the objects, the string and
 * a Buffer copy of it at the same time, and the client waits for all of it
 * before the first byte. Streamed, the server writes the list's head, then
 * its items a few at a time, then the tail:
 *
 *   {"kind":"PodList","apiVersion":"v1","metadata":{...},"items":[   <- head
 *   {...pod 1...},{...pod 2...}, ...                                 <- chunks of ~64 KiB
 *   ]}                                                               <- tail
 *
 * The client sees the same JSON either way. Two rules keep the memory small:
 * - Backpressure: res.write() returns false when the socket's buffer is full.
 *   Then the server waits for 'drain' before it encodes more. A client that
 *   reads slowly slows the encoding down; it does not fill the server's memory.
 * - A client that goes away ('close' before the end) stops the encoding, and
 *   the items not yet encoded are never read.
 */
import type { Response } from "express";

/** A JSON object with one array field whose elements arrive one at a time. */
export interface StreamedList {
  /** Every field of the object but the array, in order (kind, apiVersion, metadata, ...). */
  head: Record<string, unknown>;
  /** The name of the array field, written last: "items" for a list, "rows" for a Table. */
  field: string;
  /**
   * The array's elements, each turned into JSON when its turn comes (a JsonText is JSON already).
   * An element of a plain Iterable may be a Promise: it is awaited in its turn.
   */
  elements: AsyncIterable<unknown> | Iterable<unknown>;
}

/**
 * An element already in JSON (a stored object's text): written as it is, not
 * encoded again. The text may come in pieces (the stored text cut where its
 * resourceVersion goes in): they are written one after the other, never joined
 * into a string of their own.
 */
export class JsonText {
  readonly pieces: readonly string[];
  constructor(text: string | readonly string[]) {
    this.pieces = typeof text === "string" ? [text] : text;
  }

  /** The whole text, for an answer of one object (a list writes the pieces instead). */
  get text(): string {
    return this.pieces.length === 1 ? this.pieces[0]! : this.pieces.join("");
  }
}

/** How much JSON to gather before one write: large enough that writes are few, small enough to hold. */
export const CHUNK_CHARS = 64 * 1024;

export async function sendJsonStream(res: Response, code: number, list: StreamedList): Promise<void> {
  let gone = false;
  const onClose = () => (gone = true);
  res.once("close", onClose);
  try {
    res.status(code).type("application/json");
    // The head without its closing brace, then the array: {"kind":...,"items":[
    const head = JSON.stringify(list.head);
    // The chunk is a list of strings joined once per write: one copy of each
    // byte, where `chunk += text` would build a tree that the write flattens.
    let parts = [`${head.length > 2 ? `${head.slice(0, -1)},` : "{"}${JSON.stringify(list.field)}:[`];
    let chars = 0;
    let first = true;
    const add = (element: unknown) => {
      if (!first) parts.push(",");
      first = false;
      if (element instanceof JsonText) {
        for (const piece of element.pieces) {
          parts.push(piece);
          chars += piece.length;
        }
      } else {
        const json = JSON.stringify(element);
        parts.push(json);
        chars += json.length;
      }
    };
    // Returns false when the client went away: stop (leaving the loop ends the elements' generator too).
    const flush = async (): Promise<boolean> => {
      if (gone) return false;
      const chunk = parts.join("");
      parts = [];
      chars = 0;
      if (!res.write(chunk) && !gone) await drained(res);
      return true;
    };
    if (Symbol.asyncIterator in list.elements) {
      for await (const element of list.elements) {
        add(element);
        if (chars >= CHUNK_CHARS && !(await flush())) return;
      }
    } else {
      // A plain Iterable costs no promise per element (150,000 of them for the pods of a big cluster).
      for (const element of list.elements) {
        add(element instanceof Promise ? await element : element);
        if (chars >= CHUNK_CHARS && !(await flush())) return;
      }
    }
    parts.push("]}");
    res.end(parts.join(""));
  } catch (err) {
    // Before the first write the error becomes a Status (errorMiddleware). After it,
    // the client has part of a 200: cut the connection so it cannot take that part for a whole list.
    if (res.headersSent) res.destroy();
    throw err;
  } finally {
    res.off("close", onClose);
  }
}

/** Resolves when the socket can take more ('drain'), or when the client is gone ('close'). */
function drained(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}
