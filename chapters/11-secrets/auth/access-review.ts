/**
 * Access reviews: asking the apiserver "may I?" without doing the thing.
 *
 *   kubectl auth can-i create pods  -> POST SelfSubjectAccessReview { spec.resourceAttributes }
 *                                    <- the same object with status { allowed, reason }
 *   kubectl auth can-i --list       -> POST SelfSubjectRulesReview { spec.namespace }
 *                                    <- status.resourceRules: what RBAC grants there
 *   kubectl auth whoami             -> POST SelfSubjectReview
 *                                    <- status.userInfo: who the token is
 *
 * A SubjectAccessReview asks the same about another user; only someone allowed
 * to create subjectaccessreviews may ask (the admin, not bob). These objects
 * are never stored: the apiserver answers them with the same authorizers that
 * guard every request (system:masters, then RBAC), so the answer cannot differ
 * from what the real request would get.
 */
import type { PolicyRule, RoleBinding } from "../../../shared/api/rbac.ts";
import { badRequest, field, invalid, isApiError, isObject } from "../../../shared/api/index.ts";
import { anyObject, type Schema } from "../../../shared/api/schema/types.ts";
import type { ApiServer } from "../../03-apiserver/index.ts";
import type { RequestAttributes, UserInfo } from "../../03-apiserver/chain/types.ts";
import type { ApiObject, ResourceDefinition } from "../../03-apiserver/registry/types.ts";
import { metadataField, type Message } from "../../03-apiserver/http/protobuf.ts";
import { MASTERS_GROUP } from "./masters.ts";
import { subjectMatches } from "./rbac-authorizer.ts";
import { clusterRoleBindings, clusterRoles, roleBindings, roles } from "./rbac-resources.ts";

export const AUTHORIZATION_GROUP = "authorization.k8s.io";
export const AUTHENTICATION_GROUP = "authentication.k8s.io";

/** Review objects are free-form here: their fields are read below, and every answer comes from the server. */
const reviewSchema: Schema = {
  type: "object",
  properties: {
    apiVersion: { type: "string" },
    kind: { type: "string" },
    metadata: anyObject,
    spec: anyObject,
    status: anyObject,
  },
};

// The wire formats `kubectl auth` sends (protobuf; field numbers from Kubernetes' generated.proto).
const ResourceAttributes: Message = {
  1: ["namespace", "string"],
  2: ["verb", "string"],
  3: ["group", "string"],
  4: ["version", "string"],
  5: ["resource", "string"],
  6: ["subresource", "string"],
  7: ["name", "string"],
};
const NonResourceAttributes: Message = { 1: ["path", "string"], 2: ["verb", "string"] };
const AccessReviewStatus: Message = {
  1: ["allowed", "bool"],
  2: ["reason", "string"],
  3: ["evaluationError", "string"],
  4: ["denied", "bool"],
};
// What is asked about, the same in every access review's spec.
const attributes: Message = {
  1: ["resourceAttributes", { message: ResourceAttributes }],
  2: ["nonResourceAttributes", { message: NonResourceAttributes }],
};
const SubjectAccessReviewMessage: Message = {
  1: metadataField,
  2: [
    "spec",
    {
      message: {
        ...attributes,
        3: ["user", "string"],
        4: ["groups", "string", "repeated"],
        6: ["uid", "string"],
      },
    },
  ],
  3: ["status", { message: AccessReviewStatus }],
};
const MESSAGES: Record<string, Message> = {
  // The user is the one asking, so the spec has only the attributes.
  SelfSubjectAccessReview: {
    1: metadataField,
    2: ["spec", { message: attributes }],
    3: ["status", { message: AccessReviewStatus }],
  },
  SubjectAccessReview: SubjectAccessReviewMessage,
  LocalSubjectAccessReview: SubjectAccessReviewMessage,
  // The status is the server's answer; a client sends it empty.
  SelfSubjectRulesReview: {
    1: metadataField,
    2: ["spec", { message: { 1: ["namespace", "string"] } }],
    3: ["status", { message: { 3: ["incomplete", "bool"], 4: ["evaluationError", "string"] } }],
  },
  SelfSubjectReview: {
    1: metadataField,
    2: [
      "status",
      {
        message: {
          1: ["userInfo", { message: { 1: ["username", "string"], 2: ["uid", "string"], 3: ["groups", "string", "repeated"] } }],
        },
      },
    ],
  },
};

function review(group: string, kind: string, plural: string, answer: ResourceDefinition["answer"]): ResourceDefinition {
  return {
    protobuf: MESSAGES[kind],
    group,
    version: "v1",
    kind,
    plural,
    singular: kind.toLowerCase(),
    scope: "Cluster",
    schema: reviewSchema,
    verbs: ["create"],
    answer,
    description: `${kind}: answered by the apiserver, never stored.`,
  };
}

interface Attributes {
  namespace?: string;
  verb?: string;
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  name?: string;
  path?: string;
}

/** The request the review describes, in the terms the authorizers use. */
function attributesOf(spec: Record<string, unknown>, user: UserInfo): RequestAttributes {
  const r = (isObject(spec.resourceAttributes) ? spec.resourceAttributes : undefined) as Attributes | undefined;
  const n = (isObject(spec.nonResourceAttributes) ? spec.nonResourceAttributes : undefined) as Attributes | undefined;
  if (!r === !n) {
    // As Kubernetes' validation: a review asks about exactly one request.
    throw invalid(
      "SubjectAccessReview",
      "",
      [
        field.invalid(
          "spec.resourceAttributes",
          r ?? null,
          "exactly one of nonResourceAttributes or resourceAttributes must be specified",
        ),
      ],
      AUTHORIZATION_GROUP,
    );
  }
  if (r) {
    return {
      user,
      verb: r.verb ?? "",
      isResourceRequest: true,
      path: "",
      apiGroup: r.group ?? "",
      apiVersion: r.version ?? "",
      resource: r.resource ?? "",
      subresource: r.subresource ?? "",
      namespace: r.namespace ?? "",
      name: r.name ?? "",
    };
  }
  return {
    user,
    verb: n?.verb ?? "",
    isResourceRequest: false,
    path: n?.path ?? "",
    apiGroup: "",
    apiVersion: "",
    resource: "",
    subresource: "",
    namespace: "",
    name: "",
  };
}

/** Runs the apiserver's own authorizers: allowed, or the reason it is not. */
async function decide(apiserver: ApiServer, a: RequestAttributes): Promise<{ allowed: boolean; reason?: string }> {
  try {
    await apiserver.chain.authorize(a);
    return { allowed: true };
  } catch (err) {
    if (isApiError(err, "Forbidden")) return { allowed: false };
    throw err;
  }
}

/** What RBAC grants this user in a namespace (cluster-wide bindings included): the answer of `can-i --list`. */
async function rulesFor(apiserver: ApiServer, user: UserInfo, namespace: string): Promise<PolicyRule[]> {
  if (user.groups.includes(MASTERS_GROUP))
    return [
      { verbs: ["*"], apiGroups: ["*"], resources: ["*"] },
      { verbs: ["*"], nonResourceURLs: ["*"] },
    ];
  const storage = apiserver.storage;
  const rules: PolicyRule[] = [];
  const collect = async (bindings: RoleBinding[], ns: string | undefined) => {
    for (const b of bindings) {
      const ref = b.roleRef;
      if (!ref || !(b.subjects ?? []).some((s) => subjectMatches(s, user, b.metadata?.namespace ?? ""))) continue;
      try {
        const role =
          ref.kind === "Role" ? await storage.get(roles, ns, ref.name) : await storage.get(clusterRoles, undefined, ref.name);
        rules.push(...((role.rules as PolicyRule[] | undefined) ?? []));
      } catch (err) {
        if (!isApiError(err, "NotFound")) throw err;
      }
    }
  };
  await collect((await storage.list(clusterRoleBindings)).items as RoleBinding[], undefined);
  if (namespace) await collect((await storage.list(roleBindings, namespace)).items as RoleBinding[], namespace);
  return rules;
}

const specOf = (obj: ApiObject): Record<string, unknown> => (isObject(obj.spec) ? obj.spec : {});

/** Serves the access reviews and SelfSubjectReview (once per apiserver). */
export function installAccessReview(apiserver: ApiServer): void {
  const resources = [
    review(AUTHORIZATION_GROUP, "SelfSubjectAccessReview", "selfsubjectaccessreviews", async (obj, { user }) => ({
      ...obj,
      status: await decide(apiserver, attributesOf(specOf(obj), user)),
    })),
    review(AUTHORIZATION_GROUP, "SubjectAccessReview", "subjectaccessreviews", async (obj) => {
      const spec = specOf(obj);
      const asked: UserInfo = {
        username: String(spec.user ?? ""),
        uid: spec.uid as string | undefined,
        groups: Array.isArray(spec.groups) ? spec.groups.map(String) : [],
      };
      return { ...obj, status: await decide(apiserver, attributesOf(spec, asked)) };
    }),
    // The same question, asked inside one namespace (so a namespace admin may be allowed to ask it).
    {
      ...review(AUTHORIZATION_GROUP, "LocalSubjectAccessReview", "localsubjectaccessreviews", async (obj, { namespace }) => {
        const spec = specOf(obj);
        const attributes = isObject(spec.resourceAttributes) ? spec.resourceAttributes : undefined;
        if (!attributes || (attributes.namespace ?? "") !== namespace) {
          throw badRequest(`spec.resourceAttributes.namespace must be "${namespace}", the namespace of the request`);
        }
        const asked: UserInfo = {
          username: String(spec.user ?? ""),
          uid: spec.uid as string | undefined,
          groups: Array.isArray(spec.groups) ? spec.groups.map(String) : [],
        };
        return { ...obj, status: await decide(apiserver, attributesOf(spec, asked)) };
      }),
      scope: "Namespaced" as const,
    },
    review(AUTHORIZATION_GROUP, "SelfSubjectRulesReview", "selfsubjectrulesreviews", async (obj, { user }) => {
      const all = await rulesFor(apiserver, user, String(specOf(obj).namespace ?? ""));
      const resourceRules = all
        .filter((r) => !r.nonResourceURLs?.length)
        .map(({ verbs, apiGroups, resources, resourceNames }) => ({ verbs, apiGroups, resources, resourceNames }));
      const nonResourceRules = all
        .filter((r) => r.nonResourceURLs?.length)
        .map(({ verbs, nonResourceURLs }) => ({ verbs, nonResourceURLs }));
      return { ...obj, status: { resourceRules, nonResourceRules, incomplete: false } };
    }),
    review(AUTHENTICATION_GROUP, "SelfSubjectReview", "selfsubjectreviews", async (obj, { user }) => ({
      ...obj,
      status: { userInfo: { username: user.username, uid: user.uid, groups: user.groups } },
    })),
  ];
  for (const r of resources) if (!apiserver.registry.lookup(r.group, r.version, r.plural)) apiserver.registry.register(r);
}
