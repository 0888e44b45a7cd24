/** The schema of the kind in shared/api/coordination.ts: Lease (coordination.k8s.io/v1). */
import { kindSchema } from "./meta.ts";
import { integer, object, string, type Schema } from "./types.ts";

/** MicroTime: RFC 3339 with microseconds. */
const microTime: Schema = { type: "string", format: "date-time" };

export const lease: Schema = kindSchema(
  {
    spec: object({
      holderIdentity: string,
      leaseDurationSeconds: integer,
      acquireTime: microTime,
      renewTime: microTime,
      leaseTransitions: integer,
    }),
  },
  "Lease defines a lease concept.",
);
