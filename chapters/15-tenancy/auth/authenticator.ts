/**
 * The service-account token authenticator, first in chapter 03's chain:
 * a bearer token that is a JWT is checked here (verifyToken); any other
 * token goes on to chapter 11's token file. A JWT from another issuer is
 * not ours either: another authenticator may know it.
 */
import type { IncomingMessage } from "node:http";
import { decodeJwt } from "jose";
import { isApiError } from "../../../shared/api/index.ts";
import type { Authenticator } from "../../03-apiserver/chain/types.ts";
import type { ObjectStorage } from "../../03-apiserver/storage/object-storage.ts";
import type { ResourceRegistry } from "../../03-apiserver/registry/registry.ts";
import { looksLikeJwt, verifyToken, type TokenLookup, type TokenSettings } from "./tokens.ts";

/** Looks objects up in the store, as the real authenticator does in its informer cache. */
export function storageLookup(storage: ObjectStorage, registry: ResourceRegistry): TokenLookup {
  const uidOf = async (plural: string, namespace: string, name: string) => {
    const resource = registry.lookup("", "v1", plural);
    if (!resource || !name) return undefined;
    try {
      return (await storage.get(resource, namespace, name)).metadata?.uid;
    } catch (err) {
      if (isApiError(err, "NotFound")) return undefined;
      throw err;
    }
  };
  return {
    serviceAccountUid: (namespace, name) => uidOf("serviceaccounts", namespace, name),
    podUid: (namespace, name) => uidOf("pods", namespace, name),
  };
}

export function serviceAccountAuthenticator(settings: TokenSettings, lookup: TokenLookup): Authenticator {
  return async (req: IncomingMessage) => {
    const m = /^bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "");
    if (!m || !looksLikeJwt(m[1]!)) return undefined;
    let issuer: string | undefined;
    try {
      issuer = decodeJwt(m[1]!).iss;
    } catch {
      return undefined;
    }
    if (issuer !== settings.issuer) return undefined;
    return verifyToken(m[1]!, settings, lookup, new Date());
  };
}
