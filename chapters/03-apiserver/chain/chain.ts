/**
 * The request chain: authenticators, authorizers and admission plugins, in
 * the order they are added. See types.ts for what each stage does.
 */
import { forbidden } from "../../../shared/api/index.ts";
import type { IncomingMessage } from "node:http";
import {
  ANONYMOUS,
  type AdmissionPlugin,
  type AdmissionRequest,
  type Authenticator,
  type Authorizer,
  type RequestAttributes,
  type UserInfo,
} from "./types.ts";

export class RequestChain {
  private readonly authenticators: Authenticator[] = [];
  private readonly authorizers: Authorizer[] = [];
  private readonly admissionPlugins: AdmissionPlugin[] = [];

  /**
   * Adds an authenticator, last by default. "first" puts it before the ones
   * already there: chapter 15's service-account tokens must be tried before
   * chapter 11's token file, which answers 401 to any token it does not know.
   */
  addAuthenticator(authenticator: Authenticator, position: "first" | "last" = "last"): void {
    if (position === "first") this.authenticators.unshift(authenticator);
    else this.authenticators.push(authenticator);
  }

  addAuthorizer(authorizer: Authorizer): void {
    this.authorizers.push(authorizer);
  }

  addAdmissionPlugin(plugin: AdmissionPlugin): void {
    this.admissionPlugins.push(plugin);
  }

  /** Whether an admission plugin of this name is in the chain (a plug-in installs itself once). */
  hasAdmissionPlugin(name: string): boolean {
    return this.admissionPlugins.some((p) => p.name === name);
  }

  /** The first authenticator that recognizes the request decides; nobody = anonymous. */
  async authenticate(req: IncomingMessage): Promise<UserInfo> {
    for (const authenticate of this.authenticators) {
      const user = await authenticate(req);
      if (user) return user;
    }
    return ANONYMOUS;
  }

  /**
   * The first authorizer with an opinion decides. With no authorizer
   * registered everything is allowed (the "AlwaysAllow" mode); with some,
   * a request nobody allows is forbidden.
   */
  async authorize(attributes: RequestAttributes): Promise<void> {
    if (this.authorizers.length === 0) return;
    for (const authorizer of this.authorizers) {
      const result = await authorizer.authorize(attributes);
      if (result.decision === "allow") return;
      if (result.decision === "deny") throw forbiddenFor(attributes, result.reason);
    }
    throw forbiddenFor(attributes, "");
  }

  /** Runs every mutating stage, then every validating stage (as Kubernetes does). */
  async admit(request: AdmissionRequest): Promise<void> {
    for (const plugin of this.admissionPlugins) await plugin.admit?.(request);
    for (const plugin of this.admissionPlugins) await plugin.validate?.(request);
  }
}

/** `User "bob" cannot list resource "secrets" in API group "" in the namespace "default"`. */
function forbiddenFor(a: RequestAttributes, reason: string): Error {
  const user = `User "${a.user.username}"`;
  if (!a.isResourceRequest) {
    const err = forbidden({ resource: "" }, "", `${user} cannot ${a.verb} path "${a.path}"${reason ? `: ${reason}` : ""}`);
    err.status.message = `forbidden: ${user} cannot ${a.verb} path "${a.path}"${reason ? `: ${reason}` : ""}`;
    return err;
  }
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const where = a.namespace ? ` in the namespace "${a.namespace}"` : " at the cluster scope";
  return forbidden(
    { resource: a.resource, group: a.apiGroup },
    a.name,
    `${user} cannot ${a.verb} resource "${resource}" in API group "${a.apiGroup}"${where}${reason ? `: ${reason}` : ""}`,
  );
}
