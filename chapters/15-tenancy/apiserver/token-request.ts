/**
 * The TokenRequest API: POST /api/v1/namespaces/NS/serviceaccounts/NAME/token
 * with a TokenRequest (authentication.k8s.io/v1) gives a new signed token of
 * that account in status.token. Nothing is stored: the token carries its
 * own claims. The kubelet asks for one per pod (bound to the pod, so it dies
 * with it); `kubectl create token NAME` asks for one by hand.
 */
import { badRequest, isApiError, timestamp } from "../../../shared/api/index.ts";
import type { ServiceAccount, TokenRequest } from "../../../shared/api/tenancy.ts";
import { metadataField, type Message } from "../../03-apiserver/http/protobuf.ts";
import type { ResourceDefinition, Subresource } from "../../03-apiserver/registry/types.ts";
import { DEFAULT_EXPIRATION_SECONDS, signToken, tokenClaims, type TokenSettings } from "../auth/tokens.ts";

/** TokenRequest { 1 metadata, 2 spec { 1 audiences, 3 boundObjectRef, 4 expirationSeconds } }, for `kubectl create token`. */
const TokenRequestMessage: Message = {
  1: metadataField,
  2: [
    "spec",
    {
      message: {
        1: ["audiences", "string", "repeated"],
        3: [
          "boundObjectRef",
          { message: { 1: ["kind", "string"], 2: ["apiVersion", "string"], 3: ["name", "string"], 4: ["uid", "string"] } },
        ],
        4: ["expirationSeconds", "int64"],
      },
    },
  ],
  3: ["status", { message: { 1: ["token", "string"], 2: ["expirationTimestamp", "time"] } }],
};

export function tokenSubresource(settings: TokenSettings, pods: () => ResourceDefinition | undefined): Subresource {
  return {
    name: "token",
    kind: "TokenRequest",
    group: "authentication.k8s.io",
    version: "v1",
    verbs: ["create"],
    protobuf: { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", message: TokenRequestMessage },
    async handle(request, api) {
      const body = (await request.body()) as TokenRequest | undefined;
      if (!body || typeof body !== "object") throw badRequest("the body must be a TokenRequest (authentication.k8s.io/v1)");
      const sa = (await api.get(request.resource, request.namespace, request.name)) as ServiceAccount;
      const bound = body.spec?.boundObjectRef;
      if (bound?.kind === "Pod") {
        const podResource = pods();
        const pod = podResource && (await api.get(podResource, request.namespace, bound.name ?? "").catch(notFoundIsUndefined));
        if (!pod) throw badRequest(`the pod "${bound.name ?? ""}" the token would be bound to does not exist`);
        if (bound.uid && bound.uid !== pod.metadata?.uid)
          throw badRequest(`the uid of pod "${bound.name ?? ""}" is ${pod.metadata?.uid}, not ${bound.uid}`);
        body.spec = { ...body.spec, boundObjectRef: { ...bound, uid: pod.metadata?.uid } };
      }
      const claims = tokenClaims(sa, body, new Date(), settings);
      const answer: TokenRequest = {
        apiVersion: "authentication.k8s.io/v1",
        kind: "TokenRequest",
        metadata: { name: request.name, namespace: request.namespace, creationTimestamp: timestamp() },
        spec: {
          audiences: claims.aud,
          expirationSeconds: body.spec?.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS,
          ...(body.spec?.boundObjectRef ? { boundObjectRef: body.spec.boundObjectRef } : {}),
        },
        status: { token: await signToken(claims, settings.key), expirationTimestamp: timestamp(new Date(claims.exp * 1000)) },
      };
      return { code: 201, body: answer };
    },
  };
}

function notFoundIsUndefined(err: unknown): undefined {
  if (isApiError(err, "NotFound")) return undefined;
  throw err;
}
