/**
 * Chapter 14 challenges: optional extensions. They fail until you build
 * them; run them with `npm run check 14 -- --challenges`.
 */
import { describe, expect, it } from "vitest";
import { answer, type ClusterRecords } from "@tree/14-discovery/dns/answer.ts";
import { decodeMessage } from "@tree/14-discovery/dns/decode.ts";
import { encodeMessage, encodeName } from "@tree/14-discovery/dns/encode.ts";
import { CLASS_IN, emptyFlags, RCODE, TYPE, type Message } from "@tree/14-discovery/dns/message.ts";
import type { Pod } from "../../shared/api/index.ts";

const NAME = "web.default.svc.cluster.local";

function reply(answers: number): Message {
  return {
    id: 1,
    flags: { ...emptyFlags(), response: true, authoritative: true },
    questions: [{ name: NAME, type: TYPE.A, class: CLASS_IN }],
    answers: Array.from({ length: answers }, (_, i) => ({
      name: NAME,
      ttl: 5,
      data: { type: TYPE.A, address: `172.21.0.${i + 1}` },
    })),
    authority: [],
  };
}

describe("14 challenge > compression on the way out", () => {
  it("a name written before becomes a 2-byte pointer, and the message still reads back the same", () => {
    const msg = reply(3);
    const bytes = encodeMessage(msg);
    const uncompressed = 12 + (encodeName(NAME).length + 4) * 4 + 6 * 3 + 4 * 3;
    // Each answer's name is a pointer to the question's name: 2 bytes instead of 31.
    expect(bytes.length).toBe(uncompressed - 3 * (encodeName(NAME).length - 2));
    expect(decodeMessage(bytes)).toEqual(msg);
  });
});

describe("14 challenge > pod names", () => {
  it("172-21-0-5.default.pod.cluster.local is the A record of the pod with that IP, in that namespace", () => {
    const pod: Pod = { metadata: { name: "p", namespace: "default" }, spec: { containers: [] }, status: { podIP: "172.21.0.5" } };
    const records = { services: () => [], endpoints: () => [], pods: () => [pod] } as ClusterRecords & { pods(): Pod[] };
    const ask = (name: string) =>
      answer(
        {
          id: 9,
          flags: { ...emptyFlags(), recursionDesired: true },
          questions: [{ name, type: TYPE.A, class: CLASS_IN }],
          answers: [],
          authority: [],
        },
        records,
      );
    expect(ask("172-21-0-5.default.pod.cluster.local").answers.map((a) => a.data)).toEqual([
      { type: TYPE.A, address: "172.21.0.5" },
    ]);
    expect(ask("172-21-0-5.other.pod.cluster.local").flags.rcode).toBe(RCODE.NXDOMAIN);
  });
});
