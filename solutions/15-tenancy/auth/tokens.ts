/**
 * Service-account tokens: signed JSON Web Tokens (JWT, RFC 7519).
 *
 *   header.claims.signature       each part base64url; the signature covers the first two
 *
 *   claims: iss  who made it (this cluster's issuer URL)
 *           sub  system:serviceaccount:<namespace>:<name>
 *           aud  who may accept it (a server checks that it is one of them)
 *           iat, nbf, exp   issued, valid from, valid until (seconds since 1970)
 *           jti  a random id, new for every token
 *           kubernetes.io: { namespace, serviceaccount: { name, uid }, pod: { name, uid } }
 *
 * Anyone can read the claims (base64 is not encryption); nobody can change
 * them without the private key. So the apiserver needs no table of tokens:
 * the token itself says who it is for, and the signature proves it.
 * The uids make a token die with its objects: delete the account (or the
 * pod it is bound to) and a new one of the same name does not revive it.
 */
import { jwtVerify, SignJWT, errors as joseErrors } from "jose";
import { randomUUID } from "node:crypto";
import { badRequest, unauthorized } from "../../../shared/api/index.ts";
import type { ServiceAccount, TokenRequest } from "../../../shared/api/tenancy.ts";
import type { UserInfo } from "../../03-apiserver/chain/types.ts";
import type { SigningKey } from "./signing-key.ts";

/** The issuer of this workshop's tokens (kubeadm's default for a cluster's --service-account-issuer). */
export const DEFAULT_ISSUER = "https://kubernetes.default.svc.cluster.local";
export const SERVICE_ACCOUNTS_GROUP = "system:serviceaccounts";
export const DEFAULT_EXPIRATION_SECONDS = 3600;
export const MIN_EXPIRATION_SECONDS = 600;

export interface TokenClaims {
  iss: string;
  sub: string;
  aud: string[];
  iat: number;
  nbf: number;
  exp: number;
  jti: string;
  "kubernetes.io": {
    namespace: string;
    serviceaccount: { name: string; uid: string };
    pod?: { name: string; uid: string };
  };
}

/** "system:serviceaccount:team-a:builder": the user name of an account. */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/** What the token checks need to look up: does this object still exist, with this uid? */
export interface TokenLookup {
  serviceAccountUid(namespace: string, name: string): Promise<string | undefined>;
  podUid(namespace: string, name: string): Promise<string | undefined>;
}

export interface TokenSettings {
  key: SigningKey;
  issuer: string;
  /** The audiences of the apiserver itself: a token without other audiences gets these, and the apiserver accepts only these. */
  audiences: string[];
}

// STEP(15.1): the claims of a new token for `sa` (table above, plus jti: a
// new randomUUID() per token, so two tokens are never the same). The request
// may choose audiences (default: settings.audiences) and a lifetime
// (default DEFAULT_EXPIRATION_SECONDS; below MIN_EXPIRATION_SECONDS is a 400
// "may not specify a duration less than 10 minutes"). A token bound to a
// Pod carries the pod's name and uid; a bound object of another kind is a
// 400 (badRequest(), your own words). Tests: the "15.1" tests.
export function tokenClaims(sa: ServiceAccount, request: TokenRequest, now: Date, settings: TokenSettings): TokenClaims {
  //#solution
  const spec = request.spec ?? {};
  const seconds = spec.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS;
  if (seconds < MIN_EXPIRATION_SECONDS) throw badRequest("may not specify a duration less than 10 minutes");
  const namespace = sa.metadata?.namespace ?? "";
  const name = sa.metadata?.name ?? "";
  const iat = Math.floor(now.getTime() / 1000);
  const claims: TokenClaims = {
    iss: settings.issuer,
    sub: serviceAccountUsername(namespace, name),
    aud: spec.audiences?.length ? spec.audiences : settings.audiences,
    iat,
    nbf: iat,
    exp: iat + seconds,
    jti: randomUUID(),
    "kubernetes.io": { namespace, serviceaccount: { name, uid: sa.metadata?.uid ?? "" } },
  };
  const bound = spec.boundObjectRef;
  if (bound) {
    if (bound.kind !== "Pod") throw badRequest(`cannot bind a token to a ${bound.kind ?? "object without kind"}: only to a Pod`);
    claims["kubernetes.io"].pod = { name: bound.name ?? "", uid: bound.uid ?? "" };
  }
  return claims;
  //#end
}

/** Signs the claims (ES256) with the key's id in the header. */
export function signToken(claims: TokenClaims, key: SigningKey): Promise<string> {
  return new SignJWT({ ...claims }).setProtectedHeader({ alg: "ES256", kid: key.keyId, typ: "JWT" }).sign(key.privateKey);
}

/** Three base64url parts: a JWT, as opposed to a token of chapter 11's file. */
export function looksLikeJwt(token: string): boolean {
  return /^[\w-]+\.[\w-]+\.[\w-]+$/.test(token);
}

// STEP(15.2): who is this token? The signature, issuer, audience (one of
// settings.audiences) and times must hold: jose's jwtVerify checks them
// with settings.key.publicKey and the options issuer, audience and
// currentDate: now (without it, jose reads the real clock and `now` is
// ignored); a jose error is a bad token. Then the account must still
// exist with the uid in the token, and so must a pod the token is bound
// to. Any failure is 401 (unauthorized()), never a 500. The user is the
// account's user name, with its uid, in the groups SERVICE_ACCOUNTS_GROUP,
// "system:serviceaccounts:<namespace>" and "system:authenticated".
// Tests: the "15.2" tests.
export async function verifyToken(token: string, settings: TokenSettings, lookup: TokenLookup, now: Date): Promise<UserInfo> {
  //#solution
  let claims: TokenClaims;
  try {
    const { payload } = await jwtVerify(token, settings.key.publicKey, {
      issuer: settings.issuer,
      audience: settings.audiences,
      algorithms: ["ES256"],
      currentDate: now,
    });
    claims = payload as unknown as TokenClaims;
  } catch (err) {
    if (err instanceof joseErrors.JOSEError) throw unauthorized();
    throw err;
  }
  const k8s = claims["kubernetes.io"];
  const namespace = k8s?.namespace ?? "";
  const account = k8s?.serviceaccount;
  if (!account || claims.sub !== serviceAccountUsername(namespace, account.name)) throw unauthorized();
  if ((await lookup.serviceAccountUid(namespace, account.name)) !== account.uid) throw unauthorized();
  if (k8s.pod && (await lookup.podUid(namespace, k8s.pod.name)) !== k8s.pod.uid) throw unauthorized();
  return {
    username: claims.sub,
    uid: account.uid,
    groups: [SERVICE_ACCOUNTS_GROUP, `${SERVICE_ACCOUNTS_GROUP}:${namespace}`, "system:authenticated"],
  };
  //#end
}
