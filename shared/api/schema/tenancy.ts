/** Schemas of the kinds in shared/api/tenancy.ts. */
import { kindSchema } from "./meta.ts";
import { arrayOf, boolean, integer64, mapOf, object, quantity, string, type Schema } from "./types.ts";

const resourceList = mapOf(quantity);

export const serviceAccount: Schema = kindSchema(
  {
    automountServiceAccountToken: boolean,
    secrets: arrayOf(object({ name: string })),
    imagePullSecrets: arrayOf(object({ name: string })),
  },
  "ServiceAccount binds together a name understood by users, and perhaps by peripheral systems, for an identity.",
);

export const tokenRequest: Schema = kindSchema(
  {
    spec: object({
      audiences: arrayOf(string),
      expirationSeconds: integer64,
      boundObjectRef: object({ kind: string, apiVersion: string, name: string, uid: string }),
    }),
    status: object({ token: string, expirationTimestamp: string }),
  },
  "TokenRequest requests a token for a given service account.",
);

export const resourceQuota: Schema = kindSchema(
  {
    spec: object({ hard: resourceList, scopes: arrayOf(string) }),
    status: object({ hard: resourceList, used: resourceList }),
  },
  "ResourceQuota sets aggregate quota restrictions enforced per namespace.",
);

export const limitRange: Schema = kindSchema(
  {
    spec: object({
      limits: arrayOf(
        object(
          {
            type: string,
            default: resourceList,
            defaultRequest: resourceList,
            min: resourceList,
            max: resourceList,
            maxLimitRequestRatio: resourceList,
          },
          { required: ["type"] },
        ),
      ),
    }),
  },
  "LimitRange sets resource usage limits for each kind of resource in a namespace.",
);
