/**
 * AUTHENTICATION: who is asking? The request carries a credential; an
 * authenticator turns it into a user (a name, a uid, groups) or rejects it.
 * Kubernetes has many (client certificates, service account tokens, OIDC...);
 * this one reads `Authorization: Bearer <token>` and looks the token up in
 * the static token file.
 *
 *   no Authorization header       -> not mine (undefined): the next authenticator, or anonymous
 *   Bearer <token in the file>    -> that user, plus the group system:authenticated
 *   Bearer <unknown token>        -> 401 Unauthorized
 */
import type { IncomingMessage } from "node:http";
import { unauthorized } from "../../../shared/api/index.ts";
import type { Authenticator, UserInfo } from "../../03-apiserver/chain/types.ts";
import type { StaticToken } from "./token-file.ts";

/** Every authenticated user is also in this group (RBAC grants discovery to it). */
export const AUTHENTICATED_GROUP = "system:authenticated";

// STEP(11.1): who sent this request? No bearer token: undefined (anonymous;
// another authenticator may know). An unknown token: 401 (unauthorized()).
// A known one: its user, with AUTHENTICATED_GROUP added.
export function bearerTokenAuthenticator(tokens: readonly StaticToken[]): Authenticator {
  const byToken = new Map(tokens.map((t) => [t.token, t]));
  return (req: IncomingMessage): UserInfo | undefined => {
    //#solution
    const header = req.headers.authorization;
    if (!header) return undefined;
    const m = /^bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) return undefined;
    const found = byToken.get(m[1]!);
    if (!found) throw unauthorized();
    const groups = found.groups.includes(AUTHENTICATED_GROUP) ? found.groups : [...found.groups, AUTHENTICATED_GROUP];
    return { username: found.user, uid: found.uid, groups };
    //#end
  };
}

/**
 * The last authenticator when anonymous requests are not allowed: whatever
 * reaches it was recognized by nobody, so it is 401 Unauthorized.
 */
export const rejectAnonymous: Authenticator = () => {
  throw unauthorized();
};
