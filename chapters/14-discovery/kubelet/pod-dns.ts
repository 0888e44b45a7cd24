/**
 * How the resolv.conf of podResolvConf() gets into a pod's containers.
 *
 * The real kubelet hands the file to the container runtime with the pod's
 * sandbox, and the runtime mounts it into each container. Here the same
 * happens around the container runtime (like chapter 13's lifecycle hooks),
 * so chapter 05's kubelet stays as you wrote it: when the kubelet creates
 * an app container, this wrapper reads its pod, writes the file under
 * <dir>/<pod uid>/resolv.conf and adds a read-only bind mount at
 * /etc/resolv.conf. Docker then leaves that path alone.
 *
 * The pause container gets nothing: it never resolves a name.
 */
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Pod } from "../../../shared/api/index.ts";
import type { Service } from "../../../shared/api/service.ts";
import type { ContainerRuntime, ContainerSpec } from "../../../shared/runtime/types.ts";
import { PODS } from "../../04-kubectl/client/resources.ts";
import { RestClient } from "../../04-kubectl/client/rest.ts";
import { SERVICES } from "../../10-services/client/resources.ts";
import {
  LABEL_CONTAINER_NAME,
  LABEL_POD_NAME,
  LABEL_POD_NAMESPACE,
  LABEL_POD_UID,
  POD_INFRA_CONTAINER,
} from "../../05-pods/kubelet/containers.ts";
import { formatResolvConf, podResolvConf, type ClusterDns } from "./resolv-conf.ts";

export interface PodDnsOptions {
  /** Where the per-pod files go (removed with the cluster's temp folder). */
  dir: string;
  /** The cluster domain, "cluster.local". */
  domain: string;
  /** The cluster DNS Service: its cluster IP is the pods' name server (the real kubelet gets it as --cluster-dns). */
  service: { namespace: string; name: string };
}

/** Wraps a runtime so that every app container gets its pod's resolv.conf. */
export function withPodDns(options: PodDnsOptions) {
  return (inner: ContainerRuntime, host: { server: string; token?: string; log?: (line: string) => void }): ContainerRuntime => {
    const client = new RestClient({ server: host.server, token: host.token });
    let cluster: ClusterDns | undefined;
    /** The DNS Service's cluster IP, read once it exists (the cluster creates it after the kubelets start). */
    const clusterDns = async (): Promise<ClusterDns | undefined> => {
      if (cluster) return cluster;
      const service = await client
        .resource<Service>(SERVICES)
        .get(options.service.name, options.service.namespace)
        .catch(() => undefined);
      const ip = service?.spec?.clusterIP;
      if (ip && ip !== "None") cluster = { nameserver: ip, domain: options.domain };
      else
        host.log?.(
          `pod DNS: no Service ${options.service.namespace}/${options.service.name} yet; containers keep the node's resolv.conf`,
        );
      return cluster;
    };
    const addResolvConf = async (spec: ContainerSpec): Promise<ContainerSpec> => {
      const labels = spec.labels ?? {};
      const uid = labels[LABEL_POD_UID];
      if (!uid || labels[LABEL_CONTAINER_NAME] === POD_INFRA_CONTAINER) return spec;
      const pod = await client.resource<Pod>(PODS).get(labels[LABEL_POD_NAME] ?? "", labels[LABEL_POD_NAMESPACE] ?? "default");
      if (pod.metadata?.uid !== uid) return spec; // a newer pod of the same name: its own sync will do it
      const dns = await clusterDns();
      if (!dns) return spec;
      const conf = podResolvConf(pod, dns);
      if (!conf) return spec;
      const dir = join(options.dir, uid);
      await mkdir(dir, { recursive: true });
      const file = join(dir, "resolv.conf");
      await writeFile(file, formatResolvConf(conf), { mode: 0o644 });
      return {
        ...spec,
        mounts: [...(spec.mounts ?? []), { type: "bind", source: file, target: "/etc/resolv.conf", readOnly: true }],
      };
    };
    return {
      ping: () => inner.ping(),
      ensureImage: (image, onProgress) => inner.ensureImage(image, onProgress),
      create: async (spec) => inner.create(await addResolvConf(spec)),
      start: (id) => inner.start(id),
      stop: (id, grace) => inner.stop(id, grace),
      remove: async (id) => {
        // The pause container goes last when a pod is removed: take its file with it.
        const status = await inner.inspect(id).catch(() => undefined);
        await inner.remove(id);
        const uid = status?.labels[LABEL_POD_UID];
        if (uid && status.labels[LABEL_CONTAINER_NAME] === POD_INFRA_CONTAINER) {
          await rm(join(options.dir, uid), { recursive: true, force: true });
        }
      },
      list: (labels) => inner.list(labels),
      inspect: (id) => inner.inspect(id),
      logs: (id, logOptions) => inner.logs(id, logOptions),
      exec: (id, command) => inner.exec(id, command),
    };
  };
}
