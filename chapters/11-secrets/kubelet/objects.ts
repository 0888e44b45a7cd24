/**
 * How the kubelet reads the Secrets and ConfigMaps a pod refers to: through
 * the apiserver, with the kubelet's own credentials, one object at a time
 * (a real kubelet caches them and watches for changes). A key's value comes
 * back as bytes: Secrets are base64 on the wire, ConfigMaps hold text in
 * `data` and base64 in `binaryData`.
 */
import { isApiError } from "../../../shared/api/index.ts";
import type { ConfigMap, Secret } from "../../../shared/api/config.ts";
import type { RestClient, ResourceType } from "../../04-kubectl/client/rest.ts";

export const SECRETS: ResourceType = { group: "", version: "v1", resource: "secrets", kind: "Secret", namespaced: true };
export const CONFIGMAPS: ResourceType = { group: "", version: "v1", resource: "configmaps", kind: "ConfigMap", namespaced: true };

export type SourceKind = "secret" | "configmap";

/** An object's keys and their values as bytes; undefined when the object does not exist. */
export async function readData(
  client: RestClient,
  kind: SourceKind,
  namespace: string,
  name: string,
): Promise<Map<string, Buffer> | undefined> {
  const data = new Map<string, Buffer>();
  try {
    if (kind === "secret") {
      const secret = await client.resource<Secret>(SECRETS).get(name, namespace);
      for (const [key, value] of Object.entries(secret.data ?? {})) data.set(key, Buffer.from(value, "base64"));
    } else {
      const cm = await client.resource<ConfigMap>(CONFIGMAPS).get(name, namespace);
      for (const [key, value] of Object.entries(cm.data ?? {})) data.set(key, Buffer.from(value, "utf8"));
      for (const [key, value] of Object.entries(cm.binaryData ?? {})) data.set(key, Buffer.from(value, "base64"));
    }
  } catch (err) {
    if (isApiError(err, "NotFound")) return undefined;
    throw err;
  }
  return data;
}

/** `secret "db" not found`, as Kubernetes words it. */
export function notFoundMessage(kind: SourceKind, name: string): string {
  return `${kind} "${name}" not found`;
}
