/**
 * pods/{name}/log on the apiserver: `kubectl logs` asks the apiserver, but
 * the logs are on the node. The apiserver finds the pod's node, reads where
 * that node's kubelet listens (status.addresses InternalIP and
 * status.daemonEndpoints.kubeletEndpoint.Port, which the kubelet published
 * when it registered) and forwards the request there, streaming the answer
 * back. Query parameters: container, follow, tailLines, previous, timestamps.
 *
 *   GET /api/v1/namespaces/default/pods/web/log?container=app&follow=true
 *     -> GET http://127.0.0.1:<kubelet port>/containerLogs/default/web/app?follow=true
 */
import {
  ApiError,
  badRequest,
  serviceUnavailable,
  statusOf,
  type Node,
  type Pod,
  type StatusReason,
} from "../../../shared/api/index.ts";
import { boolParam, intParam } from "../../03-apiserver/http/query.ts";
import type { ApiServer } from "../../03-apiserver/index.ts";
import type { Subresource, SubresourceApi, SubresourceRequest } from "../../03-apiserver/registry/types.ts";

const REASONS: Record<number, StatusReason> = { 400: "BadRequest", 404: "NotFound" };

/** Where a node's kubelet serves: only loopback addresses (the workshop never reaches other hosts). */
export function kubeletUrl(node: Node): string {
  const name = node.metadata?.name ?? "";
  const address = node.status?.addresses?.find((a) => a.type === "InternalIP")?.address;
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
  if (!address || !port) throw serviceUnavailable(`node ${name} has not published its kubelet's address and port yet`);
  if (!/^127\.\d+\.\d+\.\d+$/.test(address)) {
    throw badRequest(
      `node ${name}'s address ${address} is not a loopback address: this apiserver only reaches kubelets on 127.0.0.1`,
    );
  }
  return `http://${address}:${port}`;
}

export const logSubresource = (apiserver: ApiServer, options: { kubeletToken?: string } = {}): Subresource => ({
  name: "log",
  kind: "Pod",
  verbs: ["get"],
  async handle(request, api) {
    const { query, name } = request;
    const namespace = request.namespace ?? "default";
    const { container, nodeName, base } = await findKubelet(apiserver, request, api);

    const target = new URL(
      `${base}/containerLogs/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/${encodeURIComponent(container)}`,
    );
    if (boolParam(query, "follow")) target.searchParams.set("follow", "true");
    if (boolParam(query, "previous")) target.searchParams.set("previous", "true");
    if (boolParam(query, "timestamps")) target.searchParams.set("timestamps", "true");
    const tail = intParam(query, "tailLines", { min: 0 });
    if (tail !== undefined) target.searchParams.set("tailLines", String(tail));

    // Forward, and stream the answer back; a client that hangs up stops the kubelet's stream too.
    const abort = new AbortController();
    request.res.on("close", () => abort.abort());
    let upstream: Response;
    try {
      upstream = await fetch(target, {
        signal: abort.signal,
        headers: options.kubeletToken ? { authorization: `Bearer ${options.kubeletToken}` } : {},
      });
    } catch (err) {
      throw serviceUnavailable(
        `the kubelet of node ${nodeName} does not answer: ${(err as { cause?: Error }).cause?.message ?? (err as Error).message}`,
      );
    }
    if (!upstream.ok) {
      const text = (await upstream.text()).trim();
      const code = upstream.status >= 500 ? 503 : upstream.status;
      throw new ApiError(
        statusOf(code, REASONS[code] ?? "ServiceUnavailable", text || `the kubelet answered ${upstream.status}`),
      );
    }
    const res = request.res;
    res.writeHead(200, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-cache" });
    try {
      for await (const chunk of upstream.body ?? []) res.write(chunk);
    } catch {
      // the kubelet or the client went away: end what we have
    }
    res.end();
    return undefined;
  },
});

/** The container to read, the pod's node and the URL of that node's kubelet; 4xx Status errors as Kubernetes words them. */
async function findKubelet(
  apiserver: ApiServer,
  request: SubresourceRequest,
  api: SubresourceApi,
): Promise<{ container: string; nodeName: string; base: string }> {
  const { query, name } = request;
  const namespace = request.namespace ?? "default";
  // Given: Kubernetes' exact 400 messages, then the pod's node and where its kubelet listens.
  const pod = (await api.get(request.resource, namespace, name)) as Pod;
  const container = containerOf(pod, name, query);
  const nodeName = nodeOf(pod, name);
  const base = await kubeletOf(apiserver, api, nodeName);
  return { container, nodeName, base };
}

/**
 * The container a request names (?container=), or the pod's only one, with
 * Kubernetes' 400 messages otherwise. pods/exec and pods/attach use it too.
 */
export function containerOf(pod: Pod, name: string, query: URLSearchParams): string {
  const names = (pod.spec?.containers ?? []).map((c) => c.name);
  let container = query.get("container") ?? "";
  if (container === "") {
    if (names.length !== 1)
      throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${names.join(" ")}]`);
    container = names[0]!;
  }
  if (!names.includes(container)) throw badRequest(`container ${container} is not valid for pod ${name}`);
  return container;
}

/** The pod's node; 400 while the pod is not scheduled (there is no kubelet to ask yet). */
export function nodeOf(pod: Pod, name: string): string {
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) throw badRequest(`pod ${name} does not have a host assigned`);
  return nodeName;
}

/** The URL of the kubelet on this node, from the Node object it published. */
export async function kubeletOf(apiserver: ApiServer, api: SubresourceApi, nodeName: string): Promise<string> {
  const nodes = apiserver.registry.lookup("", "v1", "nodes")!;
  return kubeletUrl((await api.get(nodes, undefined, nodeName)) as Node);
}

/** Registers pods/log on the apiserver. */
export function installPodLogs(apiserver: ApiServer, options: { kubeletToken?: string } = {}): void {
  apiserver.registry.addSubresource("", "pods", logSubresource(apiserver, options));
}
