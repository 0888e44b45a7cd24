/**
 * Which kinds live in namespaces: read from the apiserver's discovery
 * documents, not from a list in the code. A kind a later chapter serves is
 * found the same way, so deleting a namespace also deletes it.
 *
 *   GET /api/v1                   { resources: [{ name: "pods", namespaced: true, verbs: [...] }, ...] }
 *   GET /apis                     { groups: [{ preferredVersion: { groupVersion: "apps/v1" } }, ...] }
 *   GET /apis/apps/v1             { resources: [...] }
 */
import type { RestClient } from "../../04-kubectl/client/rest.ts";

export interface NamespacedKind {
  /** "" for the core group. */
  group: string;
  version: string;
  plural: string;
  /** The collection path in a namespace: /api/v1/namespaces/NS/pods. */
  path(namespace: string): string;
}

interface ResourceList {
  resources?: { name: string; namespaced?: boolean; verbs?: string[] }[];
}

/** Every kind that is namespaced and can be listed and deleted (subresources such as pods/log are not kinds). */
export async function namespacedKinds(client: RestClient): Promise<NamespacedKind[]> {
  const groups = await client.request<{ groups?: { preferredVersion?: { groupVersion?: string } }[] }>("GET", "/apis");
  const versions = ["v1", ...(groups.groups ?? []).map((g) => g.preferredVersion?.groupVersion ?? "").filter(Boolean)];
  const kinds: NamespacedKind[] = [];
  for (const groupVersion of versions) {
    const base = groupVersion === "v1" ? "/api/v1" : `/apis/${groupVersion}`;
    const list = await client.request<ResourceList>("GET", base);
    const [group, version] = groupVersion.includes("/") ? groupVersion.split("/") : ["", groupVersion];
    for (const r of list.resources ?? []) {
      if (!r.namespaced || r.name.includes("/")) continue;
      if (!r.verbs?.includes("list") || !r.verbs.includes("delete")) continue;
      kinds.push({ group: group!, version: version!, plural: r.name, path: (ns) => `${base}/namespaces/${ns}/${r.name}` });
    }
  }
  return kinds;
}
