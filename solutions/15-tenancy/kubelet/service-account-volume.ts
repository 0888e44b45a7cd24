/**
 * The projected volume plugin, for the volume the ServiceAccount admission
 * adds to every pod (admission/service-account.ts):
 *
 *   serviceAccountToken  -> token      asked from the TokenRequest API, bound to this pod
 *   configMap            -> ca.crt     from the ConfigMap kube-root-ca.crt of the namespace
 *   downwardAPI          -> namespace  the pod's own metadata
 *
 * The token expires (a bit over an hour). The kubelet sets the volume up
 * again at every sync of the pod (at least every resync, 10 s), and asks for
 * a new token once the old one has lived 80% of its life, as Kubernetes'
 * kubelet does. The file is replaced atomically (rename), so a program that
 * reads the file again before each request never holds an expired token.
 * A program that read it once at start will: that is why client libraries
 * re-read the file.
 */
import { rm } from "node:fs/promises";
import type { Pod, Volume } from "../../../shared/api/index.ts";
import type { TokenRequest } from "../../../shared/api/tenancy.ts";
import { VolumeError, type VolumeContext, type VolumePlugin, type VolumeSource } from "../../05-pods/index.ts";
import { readData } from "../../11-secrets/kubelet/objects.ts";
import { projectFiles, writeFiles, type ProjectedFile } from "../../11-secrets/kubelet/projection.ts";
import type { ProjectedVolume } from "../admission/service-account.ts";

interface CachedToken {
  token: string;
  /** When to ask for a new one: 80% into its life. */
  refreshAt: number;
}

export interface ServiceAccountVolumeOptions {
  /** Clock, for tests. */
  now?: () => number;
}

/** The fields of a pod the downward API may project here. */
function podField(pod: Pod, path: string): string {
  switch (path) {
    case "metadata.namespace":
      return pod.metadata?.namespace ?? "";
    case "metadata.name":
      return pod.metadata?.name ?? "";
    case "metadata.uid":
      return pod.metadata?.uid ?? "";
    default:
      throw new VolumeError(`the downward API of this kubelet does not project ${path}`);
  }
}

export function projectedVolumePlugin(options: ServiceAccountVolumeOptions = {}): VolumePlugin {
  const now = options.now ?? Date.now;
  const tokens = new Map<string, CachedToken>();

  async function tokenFor(
    pod: Pod,
    volume: string,
    source: { expirationSeconds?: number; audience?: string },
    ctx: VolumeContext,
  ) {
    const key = `${pod.metadata?.uid ?? ""}/${volume}`;
    const cached = tokens.get(key);
    if (cached && now() < cached.refreshAt) return cached.token;
    const namespace = pod.metadata?.namespace ?? "default";
    const account = pod.spec?.serviceAccountName || "default";
    const request: TokenRequest = {
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenRequest",
      spec: {
        ...(source.audience ? { audiences: [source.audience] } : {}),
        expirationSeconds: source.expirationSeconds ?? 3600,
        boundObjectRef: { kind: "Pod", apiVersion: "v1", name: pod.metadata?.name, uid: pod.metadata?.uid },
      },
    };
    const issuedAt = now();
    const answer = await ctx.client!.request<TokenRequest>(
      "POST",
      `/api/v1/namespaces/${namespace}/serviceaccounts/${account}/token`,
      { body: request },
    );
    const token = answer.status?.token;
    if (!token) throw new VolumeError(`volume "${volume}": the TokenRequest API answered without a token`);
    const expires = Date.parse(answer.status?.expirationTimestamp ?? "") || issuedAt + 3600_000;
    tokens.set(key, { token, refreshAt: issuedAt + 0.8 * (expires - issuedAt) });
    return token;
  }

  return {
    name: "kubernetes.io/projected",
    canSupport: (volume: Volume) => (volume as Partial<ProjectedVolume>).projected !== undefined,
    async setUp(pod: Pod, volume: Volume, ctx: VolumeContext): Promise<VolumeSource> {
      if (!ctx.client) throw new VolumeError(`volume "${volume.name}": this kubelet has no client to ask for tokens with`);
      const projected = (volume as unknown as ProjectedVolume).projected;
      const mode = projected.defaultMode ?? 0o644;
      const files = new Map<string, ProjectedFile>();
      const namespace = pod.metadata?.namespace ?? "default";
      for (const source of projected.sources ?? []) {
        if (source.serviceAccountToken) {
          const token = await tokenFor(pod, volume.name, source.serviceAccountToken, ctx);
          files.set(source.serviceAccountToken.path, { content: Buffer.from(token), mode });
        } else if (source.configMap) {
          const data = await readData(ctx.client, "configmap", namespace, source.configMap.name);
          if (!data)
            throw new VolumeError(
              `MountVolume.SetUp failed for volume "${volume.name}" : configmap "${source.configMap.name}" not found`,
            );
          for (const [path, file] of projectFiles(
            data,
            { ...source.configMap, defaultMode: mode },
            `configmap "${source.configMap.name}"`,
          ))
            files.set(path, file);
        } else if (source.downwardAPI) {
          for (const item of source.downwardAPI.items ?? [])
            files.set(item.path, { content: Buffer.from(podField(pod, item.fieldRef?.fieldPath ?? "")), mode });
        }
      }
      await writeFiles(ctx.dir, files);
      return { type: "bind", hostPath: ctx.dir };
    },
    async tearDown(podUid: string, volumeName: string, ctx: VolumeContext): Promise<void> {
      tokens.delete(`${podUid}/${volumeName}`);
      await rm(ctx.dir, { recursive: true, force: true });
    },
  };
}
