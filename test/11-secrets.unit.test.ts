/**
 * Chapter 11 without Docker: the pure parts of Secrets (stringData,
 * encryption at rest, envFrom, the files of a volume) and of access control
 * (tokens, RBAC rules and subjects), each with the mistake it must catch.
 */
import { randomBytes } from "node:crypto";
import { expect, it } from "vitest";
import { mergeStringData } from "@tree/11-secrets/apiserver/secrets.ts";
import { ruleAllows, subjectMatches } from "@tree/11-secrets/auth/rbac-authorizer.ts";
import { bearerTokenAuthenticator } from "@tree/11-secrets/auth/token-authenticator.ts";
import { decrypt, encrypt } from "@tree/11-secrets/encryption/aesgcm.ts";
import { envFromSource } from "@tree/11-secrets/kubelet/env-from.ts";
import { projectFiles } from "@tree/11-secrets/kubelet/projection.ts";
import { resolveKeyRef } from "@tree/11-secrets/kubelet/value-from.ts";
import { describeSecret } from "@tree/11-secrets/kubectl/describe-secret.ts";
import type { Secret } from "../shared/api/config.ts";
import type { Pod } from "../shared/api/index.ts";

it("11.4 encryption at rest > the same Secret encrypted twice gives two different ciphertexts (a fresh nonce each time)", () => {
  const key = { name: "key1", secret: randomBytes(32) };
  const a = encrypt("s3cret", key, "/registry/secrets/default/db");
  const b = encrypt("s3cret", key, "/registry/secrets/default/db");
  expect(a, "expected two encryptions of one value to differ: AES-GCM with a repeated nonce leaks the plaintext").not.toBe(b);
  expect(decrypt(a, key, "/registry/secrets/default/db")).toBe("s3cret");
  expect(decrypt(b, key, "/registry/secrets/default/db")).toBe("s3cret");
});

it("11.6 envFrom > every key becomes a variable with the prefix; a key that is not a valid variable name is skipped", async () => {
  const secret: Secret = {
    metadata: { name: "db", namespace: "default" },
    data: {
      user: Buffer.from("admin").toString("base64"),
      "not valid!": Buffer.from("x").toString("base64"),
    },
  };
  const client = { resource: () => ({ get: async () => secret }) } as never;
  const container = { name: "main", image: "busybox", envFrom: [{ secretRef: { name: "db" }, prefix: "DB_" }] };
  const pod: Pod = { metadata: { name: "web", namespace: "default" }, spec: { containers: [container] } };
  const variables = await envFromSource.variables({ pod, container, nodeName: "node-1", client });
  expect(variables, 'expected only DB_user (the key "not valid!" is not a valid variable name: Kubernetes skips it)').toEqual({
    DB_user: "admin",
  });
});

it("11.7 the files of a volume > an item keeps its own mode, and an item path with .. is refused", () => {
  const data = new Map([["tls.key", Buffer.from("k")]]);
  const files = projectFiles(
    data,
    { items: [{ key: "tls.key", path: "keys/tls.key", mode: 0o400 }], defaultMode: 0o644 },
    "secret db",
  );
  const mode = files.get("keys/tls.key")?.mode;
  expect(mode?.toString(8), `expected the item's own mode 400 to win over defaultMode 644, but got ${mode?.toString(8)}`).toBe(
    "400",
  );
  expect(
    () => projectFiles(data, { items: [{ key: "tls.key", path: "../../etc/passwd" }] }, "secret db"),
    'expected an item path "../../etc/passwd" to be refused: it would write outside the volume',
  ).toThrow(/\.\./);
});

it("11.5 valueFrom > a missing key of an optional reference gives no variable; without optional it is an error naming the key", async () => {
  const secret: Secret = { metadata: { name: "db", namespace: "default" }, data: {} };
  const client = { resource: () => ({ get: async () => secret }) } as never;
  const container = { name: "main", image: "busybox" };
  const ctx = {
    pod: { metadata: { name: "web", namespace: "default" }, spec: { containers: [container] } },
    container,
    nodeName: "node-1",
    client,
  };
  const optional = await resolveKeyRef("secret", { name: "db", key: "password", optional: true }, ctx).then(
    (value) => `resolved to ${String(value)}`,
    (err: unknown) => `rejected: ${err instanceof Error ? err.message : String(err)}`,
  );
  expect(optional, "expected an optional secretKeyRef to a missing key to give no value (undefined), not an error").toBe(
    "resolved to undefined",
  );
  await expect(resolveKeyRef("secret", { name: "db", key: "password" }, ctx)).rejects.toThrow(/password/);
});

it("11.8 kubectl describe secret > shows each key's size in bytes, never its value", () => {
  const secret: Secret = {
    metadata: { name: "db", namespace: "default" },
    type: "Opaque",
    data: { password: Buffer.from("hunter2").toString("base64") },
  };
  const text = describeSecret(secret).join("\n");
  expect(text, "expected describe to print the size of password (7 bytes)").toContain("password:  7 bytes");
  expect(text, "expected describe never to print a Secret's value, but it printed hunter2").not.toContain("hunter2");
});

it("11.1 bearer tokens > an unknown token is refused (401), even where anonymous requests are allowed; no header is anonymous", () => {
  const authenticate = bearerTokenAuthenticator([{ token: "t-bob", user: "bob", uid: "1", groups: [] }]);
  const request = (authorization?: string) => ({ headers: authorization ? { authorization } : {} }) as never;
  expect(authenticate(request()), "expected a request without a token to be left to the next authenticator (undefined)").toBe(
    undefined,
  );
  expect(authenticate(request("Bearer t-bob"))).toMatchObject({ username: "bob" });
  expect(
    () => authenticate(request("Bearer t-nobody")),
    "expected an unknown token to be refused with 401: treating it as anonymous lets a typo or a revoked token in",
  ).toThrow();
});

it("11.2 RBAC subjects > a ServiceAccount subject is that account in its namespace (the binding's by default), not in any namespace", () => {
  const subject = { kind: "ServiceAccount", name: "builder" };
  const user = (username: string) => ({ username, uid: "", groups: [] });
  expect(subjectMatches(subject, user("system:serviceaccount:shop:builder"), "shop")).toBe(true);
  expect(
    subjectMatches(subject, user("system:serviceaccount:other:builder"), "shop"),
    'expected the ServiceAccount "builder" of namespace other NOT to match a subject bound in shop, but it matched',
  ).toBe(false);
});

it("11.2 RBAC rules > a rule with resourceNames allows those objects only, and never list, watch or create", () => {
  const rule = { apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "watch", "create"], resourceNames: ["db"] };
  const request = (verb: string, name: string) => ({
    user: { username: "bob", uid: "1001", groups: [] },
    verb,
    isResourceRequest: true,
    path: `/api/v1/namespaces/shop/secrets${name ? `/${name}` : ""}`,
    apiGroup: "",
    apiVersion: "v1",
    resource: "secrets",
    subresource: "",
    namespace: "shop",
    name,
  });
  expect(ruleAllows(rule, request("get", "db")), 'expected get of the Secret "db" to be allowed').toBe(true);
  expect(
    ruleAllows(rule, request("get", "other")),
    'expected get of the Secret "other" to be refused: the rule names only "db" in resourceNames',
  ).toBe(false);
  for (const verb of ["list", "watch", "create"]) {
    expect(
      ruleAllows(rule, request(verb, "")),
      `expected ${verb} (a request without an object name) to be refused by a rule with resourceNames`,
    ).toBe(false);
  }
});

it("11.3 stringData > is merged into data as base64, wins over data for the same key, and is not kept", () => {
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  const secret: Secret = {
    metadata: { name: "db", namespace: "default" },
    data: { username: b64("admin"), password: b64("old") },
    stringData: { password: "hunter2", host: "db.local" },
  };
  mergeStringData(secret);
  expect(secret.data, "expected stringData in data, base64-encoded, over data's own value for the same key").toEqual({
    username: b64("admin"),
    password: b64("hunter2"),
    host: b64("db.local"),
  });
  expect(secret.stringData, "expected stringData to be removed: it is write-only, never stored or returned").toBeUndefined();
});
