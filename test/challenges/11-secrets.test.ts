/**
 * Chapter 11 challenges: optional extensions. They fail until you build
 * them; run them with `npm run check 11 -- --challenges`.
 */
import { describe, expect, it } from "vitest";
import * as secrets from "@tree/11-secrets/apiserver/secrets.ts";
import type { Secret } from "../../shared/api/config.ts";

const b64 = (text: string) => Buffer.from(text).toString("base64");

describe("11 challenge", () => {
  it("an immutable Secret refuses a change of its data", () => {
    const validateSecretUpdate = (secrets as Record<string, unknown>).validateSecretUpdate as ((s: Secret, old: Secret) => unknown[]) | undefined;
    expect(typeof validateSecretUpdate).toBe("function");
    const old = { apiVersion: "v1", kind: "Secret", metadata: { name: "db" }, immutable: true, data: { password: b64("one") } } as Secret;
    expect(validateSecretUpdate!({ ...old, data: { password: b64("two") } } as Secret, old)).not.toEqual([]);
    expect(validateSecretUpdate!({ ...old, metadata: { name: "db", labels: { a: "b" } } } as Secret, old)).toEqual([]);
  });

  it("a basic-auth Secret needs a username or a password", () => {
    const secret = { apiVersion: "v1", kind: "Secret", metadata: { name: "web" }, type: "kubernetes.io/basic-auth", data: { token: b64("x") } } as Secret;
    expect(secrets.validateSecretData(secret)).not.toEqual([]);
    expect(secrets.validateSecretData({ ...secret, data: { username: b64("bob") } } as Secret)).toEqual([]);
  });
});
