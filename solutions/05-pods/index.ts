/**
 * Chapter 05, pods: the kubelet, and the apiserver's pods/log subresource.
 *
 *   kubelet/kubelet.ts        Kubelet, startKubelet(): start/stop, the triggers of syncs
 *   kubelet/node-status.ts    register the Node, heartbeat
 *   kubelet/pod-workers.ts    one worker per pod, syncs never overlap
 *   kubelet/sync-pod.ts       desired vs actual: the pause container, the app containers
 *   kubelet/containers.ts     names and labels on the engine; the pause and app container specs
 *   kubelet/restart-policy.ts Always / OnFailure / Never, and the CrashLoopBackOff back-off
 *   kubelet/status.ts         phase, conditions, podIP, container statuses
 *   kubelet/log-server.ts     the kubelet's HTTP server for logs
 *   kubelet/streaming-server.ts  exec, attach, port-forward on that server (upgraded connections)
 *   kubelet/remote-command.ts the v5.channel.k8s.io protocol of exec and attach
 *   kubelet/port-forward.ts, kubelet/spdy.ts  port-forward: SPDY/3.1 inside a WebSocket
 *   kubelet/volumes.ts        volumes, through plugins (chapter 06 adds emptyDir, hostPath)
 *   kubelet/env.ts            the container environment, from sources (chapters 10, 11 add some)
 *   kubelet/extensions.ts     KUBELET EXTENSIONS: what chapters 06, 07, 10, 11, 12 add to the kubelet
 *   apiserver/log-subresource.ts   pods/{name}/log on the apiserver, proxied to the kubelet
 *   apiserver/stream-subresources.ts  pods/{name}/exec, attach, portforward: upgraded, proxied to the kubelet
 */
export { DEFAULT_PAUSE_COMMAND, Kubelet, startKubelet, type KubeletOptions } from "./kubelet/kubelet.ts";
export { installPodLogs } from "./apiserver/log-subresource.ts";
export { installPodStreams } from "./apiserver/stream-subresources.ts";
export type { VolumeContext, VolumePlugin, VolumeSource } from "./kubelet/volumes.ts";
export { VolumeError } from "./kubelet/volumes.ts";
export type { EnvContext, EnvSource, EnvVarResolver } from "./kubelet/env.ts";
export { EnvError } from "./kubelet/env.ts";
export {
  mergeKubeletExtensions,
  noProbes,
  type KubeletExtensions,
  type ProbeHost,
  type ProbeManager,
  type ProbeManagerFactory,
} from "./kubelet/extensions.ts";
