/**
 * ServiceAccount admission: every new pod runs as an account of its
 * namespace, and gets that account's token as files, unless it says no.
 *
 *   spec.serviceAccountName: ""           -> "default"
 *   the account does not exist             -> 403: the pod would have no identity
 *   automount (pod, else account, else yes):
 *     volumes += kube-api-access-xxxxx  (projected: token, ca.crt, namespace)
 *     every container mounts it read-only at /var/run/secrets/kubernetes.io/serviceaccount
 *
 * The volume only describes the files. The kubelet makes them
 * (kubelet/service-account-volume.ts): it asks the TokenRequest API for a
 * token bound to this pod and writes it there, again before it expires.
 */
import { randomBytes } from "node:crypto";
import { forbidden, isApiError, type Container, type Pod, type Volume } from "../../../shared/api/index.ts";
import type { ServiceAccount } from "../../../shared/api/tenancy.ts";
import type { AdmissionPlugin } from "../../03-apiserver/chain/types.ts";
import type { ResourceRegistry } from "../../03-apiserver/registry/registry.ts";
import type { ObjectStorage } from "../../03-apiserver/storage/object-storage.ts";

export const TOKEN_MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount";
export const ROOT_CA_CONFIGMAP = "kube-root-ca.crt";
/** What the kubelet asks for: a bit over an hour (Kubernetes' 3607 s marks tokens it made this way). */
export const POD_TOKEN_SECONDS = 3607;

/** A projected volume, as this workshop uses it (shared/api's Volume does not list `projected`). */
export interface ProjectedVolume {
  name: string;
  projected: {
    defaultMode?: number;
    sources: {
      serviceAccountToken?: { path: string; expirationSeconds?: number; audience?: string };
      configMap?: { name: string; items?: { key: string; path: string }[] };
      downwardAPI?: { items?: { path: string; fieldRef?: { apiVersion?: string; fieldPath: string } }[] };
    }[];
  };
}

/** The volume of the token, the CA certificate and the namespace. */
export function serviceAccountVolume(name: string): ProjectedVolume {
  return {
    name,
    projected: {
      defaultMode: 0o644,
      sources: [
        { serviceAccountToken: { path: "token", expirationSeconds: POD_TOKEN_SECONDS } },
        { configMap: { name: ROOT_CA_CONFIGMAP, items: [{ key: "ca.crt", path: "ca.crt" }] } },
        { downwardAPI: { items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }] } },
      ],
    },
  };
}

// STEP(15.3): give a new pod its account's token, unless it opts out.
// spec.automountServiceAccountToken decides; when the pod does not say, the
// account's field does; when neither says, yes. To mount: add
// serviceAccountVolume("kube-api-access-" + 5 random lowercase letters or
// digits) and mount it read-only at TOKEN_MOUNT_PATH in every container and
// init container, except one that already mounts something at that path
// (the user's choice wins). When no container gets the mount, the pod gets
// no volume either (Kubernetes adds it only if a container needs it).
// Tests: the "15.3" tests.
export function mountServiceAccountToken(pod: Pod, account: ServiceAccount): void {
  //#solution
  const spec = pod.spec!;
  if (!(spec.automountServiceAccountToken ?? account.automountServiceAccountToken ?? true)) return;
  const name = `kube-api-access-${randomBytes(8)
    .toString("hex")
    .replace(/[^a-z0-9]/g, "")
    .slice(0, 5)}`;
  let mounted = false;
  const mount = (c: Container) => {
    if ((c.volumeMounts ?? []).some((m) => m.mountPath === TOKEN_MOUNT_PATH)) return;
    c.volumeMounts = [...(c.volumeMounts ?? []), { name, mountPath: TOKEN_MOUNT_PATH, readOnly: true }];
    mounted = true;
  };
  for (const c of spec.initContainers ?? []) mount(c);
  for (const c of spec.containers) mount(c);
  if (mounted) spec.volumes = [...(spec.volumes ?? []), serviceAccountVolume(name) as unknown as Volume];
  //#end
}

/** The ServiceAccount admission plugin (mutating). */
export function serviceAccountAdmission(storage: ObjectStorage, registry: ResourceRegistry): AdmissionPlugin {
  return {
    name: "ServiceAccount",
    async admit(request) {
      if (request.operation !== "CREATE" || request.subresource || request.resource.plural !== "pods" || request.resource.group)
        return;
      const accounts = registry.lookup("", "v1", "serviceaccounts");
      const pod = request.object as Pod | undefined;
      if (!accounts || !request.namespace || !pod?.spec) return;
      const name = (pod.spec.serviceAccountName ||= (pod.spec as { serviceAccount?: string }).serviceAccount || "default");
      let account: ServiceAccount;
      try {
        account = (await storage.get(accounts, request.namespace, name)) as ServiceAccount;
      } catch (err) {
        if (!isApiError(err, "NotFound")) throw err;
        throw forbidden(
          { resource: "pods" },
          request.name,
          `error looking up service account ${request.namespace}/${name}: serviceaccount "${name}" not found`,
        );
      }
      mountServiceAccountToken(pod, account);
    },
  };
}
