/**
 * `kubectl describe secret` shows which keys a Secret has and how big each
 * value is, never the values: a describe output ends up in terminals,
 * screenshots and tickets. (`kubectl get secret -o yaml` still shows the
 * base64, to whoever is allowed to read the Secret.)
 *
 *   Type:  Opaque
 *
 *   Data
 *   ====
 *   password:  11 bytes
 *   username:  5 bytes
 */
import type { Secret } from "../../../shared/api/config.ts";
import type { KubeObject } from "../../../shared/api/meta.ts";
import { metadataLines } from "../../04-kubectl/kubectl/describe.ts";
import { todo } from "../../../shared/todo.ts";

// TODO(11.8): what `kubectl describe secret` shows: metadata, the type, and
// each key with its decoded size in bytes, sorted. Never a value.
export function describeSecret(object: KubeObject): string[] {
  todo("11.8");
}
