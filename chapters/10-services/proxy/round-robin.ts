/**
 * Round robin over the ready endpoints of one Service port: the first new
 * connection goes to the first endpoint, the next to the second, and so on,
 * wrapping around. The proxy asks for the next endpoint once per connection
 * (not per request: an HTTP keep-alive connection stays on its backend).
 */
import { todo } from "../../../shared/todo.ts";

/** One backend: a ready pod's IP and the port it serves the Service on. */
export interface Endpoint {
  ip: string;
  port: number;
}

export const endpointKey = (e: Endpoint): string => `${e.ip}:${e.port}`;

export class RoundRobin {
  private endpoints: Endpoint[] = [];
  private index = 0;

  /** The endpoints now, in rotation order. */
  list(): readonly Endpoint[] {
    return this.endpoints;
  }

  /**
   * Takes a new list of endpoints (the Endpoints object changed). An
   * unchanged list keeps its place in the rotation; a changed one starts over.
   */
  setEndpoints(endpoints: readonly Endpoint[]): void {
    const next = [...endpoints];
    if (next.map(endpointKey).join(",") === this.endpoints.map(endpointKey).join(",")) return;
    this.endpoints = next;
    this.index = 0;
  }

  // TODO(10.4): the endpoints take turns (undefined when there are none).
  next(): Endpoint | undefined {
    todo("10.4");
  }
}
