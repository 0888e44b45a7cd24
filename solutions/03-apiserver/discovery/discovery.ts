/**
 * Discovery: how clients learn what the server serves. kubectl asks /api and
 * /apis for the group/versions, then each /api/v1 or /apis/{group}/{version}
 * for its resources: plural, kind, namespaced or not, verbs, short names. That
 * is how `kubectl get po` knows "po" means pods, at /api/v1/namespaces/x/pods.
 */
import { Router } from "express";
import {
  groupVersion,
  pathNotFound,
  type APIGroup,
  type APIGroupList,
  type APIResource,
  type APIResourceList,
  type APIVersions,
  type VersionInfo,
} from "../../../shared/api/index.ts";
import { sendJson } from "../http/respond.ts";
import { verbsOf, type ResourceRegistry } from "../registry/registry.ts";

/** The Kubernetes version this server speaks (kubectl warns when it is far from its own). */
export const VERSION_INFO: VersionInfo = {
  major: "1",
  minor: "32",
  gitVersion: "v1.32.0-workshop",
  gitCommit: "0000000000000000000000000000000000000000",
  gitTreeState: "clean",
  buildDate: "2025-01-01T00:00:00Z",
  goVersion: `node${process.versions.node}`,
  compiler: "tsx",
  platform: `${process.platform}/${process.arch === "x64" ? "amd64" : process.arch}`,
};

export function resourceList(registry: ResourceRegistry, group: string, version: string): APIResourceList | undefined {
  const resources = registry.all().filter((r) => r.group === group && r.version === version);
  if (resources.length === 0) return undefined;
  const out: APIResource[] = [];
  for (const r of resources) {
    const namespaced = r.scope === "Namespaced";
    const main: APIResource = { name: r.plural, singularName: r.singular, namespaced, kind: r.kind, verbs: [...verbsOf(r)] };
    if (r.shortNames?.length) main.shortNames = r.shortNames;
    if (r.categories?.length) main.categories = r.categories;
    out.push(main);
    if (r.statusSubresource)
      out.push({ name: `${r.plural}/status`, singularName: "", namespaced, kind: r.kind, verbs: ["get", "patch", "update"] });
    for (const sub of registry.subresourcesOf(r)) {
      const entry: APIResource = {
        name: `${r.plural}/${sub.name}`,
        singularName: "",
        namespaced,
        kind: sub.kind ?? r.kind,
        verbs: [...sub.verbs],
      };
      if (sub.group !== undefined && sub.version !== undefined) Object.assign(entry, { group: sub.group, version: sub.version });
      out.push(entry);
    }
  }
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: groupVersion(group, version), resources: out };
}

function apiGroup(registry: ResourceRegistry, group: string): APIGroup | undefined {
  const versions = registry
    .groupVersions()
    .filter((gv) => gv.group === group)
    .map((gv) => ({ groupVersion: groupVersion(gv.group, gv.version), version: gv.version }));
  if (versions.length === 0) return undefined;
  return { kind: "APIGroup", apiVersion: "v1", name: group, versions, preferredVersion: versions[0]! };
}

export function discoveryRouter(registry: ResourceRegistry, serverAddress: () => string): Router {
  const router = Router();
  router.get("/api", (_req, res) => {
    const body: APIVersions = {
      kind: "APIVersions",
      versions: ["v1"],
      serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: serverAddress() }],
    };
    sendJson(res, 200, body);
  });
  router.get("/api/:version", (req, res) => {
    const list = resourceList(registry, "", req.params.version);
    if (!list) throw pathNotFound();
    sendJson(res, 200, list);
  });
  router.get("/apis", (_req, res) => {
    const groups = [...new Set(registry.groupVersions().map((gv) => gv.group))].filter((g) => g !== "");
    const body: APIGroupList = { kind: "APIGroupList", apiVersion: "v1", groups: groups.map((g) => apiGroup(registry, g)!) };
    sendJson(res, 200, body);
  });
  router.get("/apis/:group", (req, res) => {
    const group = req.params.group === "" ? undefined : apiGroup(registry, req.params.group);
    if (!group) throw pathNotFound();
    sendJson(res, 200, group);
  });
  router.get("/apis/:group/:version", (req, res) => {
    const list = resourceList(registry, req.params.group, req.params.version);
    if (!list) throw pathNotFound();
    sendJson(res, 200, list);
  });
  router.get("/version", (_req, res) => sendJson(res, 200, VERSION_INFO));
  for (const path of ["/healthz", "/livez", "/readyz"]) {
    router.get(path, (_req, res) => {
      res.status(200).type("text/plain").send("ok");
    });
  }
  return router;
}
