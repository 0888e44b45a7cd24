/** Schemas of the core/v1 kinds in shared/api/core.ts. */
import { kindSchema, objectMeta, objectReference } from "./meta.ts";
import {
  anyObject,
  arrayOf,
  boolean,
  dateTime,
  integer,
  integer64,
  intOrString,
  mapOf,
  mergeList,
  object,
  quantity,
  string,
  type Schema,
} from "./types.ts";

const stringList = arrayOf(string, { listType: "atomic" });

export const namespace: Schema = kindSchema(
  {
    spec: object({ finalizers: stringList }),
    status: object({ phase: string, conditions: arrayOf(anyObject) }),
  },
  "Namespace provides a scope for names.",
);

const containerPort = object(
  { name: string, containerPort: integer, hostPort: integer, hostIP: string, protocol: string },
  { required: ["containerPort"] },
);

const keySelector = object({ name: string, key: string, optional: boolean }, { required: ["key"] });
const fieldRef = object({ apiVersion: string, fieldPath: string }, { required: ["fieldPath"] });

const envVar = object(
  {
    name: string,
    value: string,
    valueFrom: object({
      fieldRef,
      resourceFieldRef: object({ containerName: string, resource: string, divisor: quantity }),
      configMapKeyRef: keySelector,
      secretKeyRef: keySelector,
    }),
  },
  { required: ["name"] },
);

const envFromSource = object({
  prefix: string,
  configMapRef: object({ name: string, optional: boolean }),
  secretRef: object({ name: string, optional: boolean }),
});

const resourceRequirements = object({ limits: mapOf(quantity), requests: mapOf(quantity), claims: arrayOf(anyObject) });

const volumeMount = object(
  { name: string, mountPath: string, readOnly: boolean, subPath: string, subPathExpr: string, mountPropagation: string },
  { required: ["name", "mountPath"] },
);

const execAction = object({ command: stringList });
const httpGet = object(
  {
    path: string,
    port: intOrString,
    host: string,
    scheme: string,
    httpHeaders: arrayOf(object({ name: string, value: string })),
  },
  { required: ["port"] },
);
const tcpSocket = object({ port: intOrString, host: string }, { required: ["port"] });
const probe = object({
  exec: execAction,
  httpGet,
  tcpSocket,
  grpc: anyObject,
  initialDelaySeconds: integer,
  timeoutSeconds: integer,
  periodSeconds: integer,
  successThreshold: integer,
  failureThreshold: integer,
  terminationGracePeriodSeconds: integer64,
});
const lifecycleHandler = object({ exec: execAction, httpGet, tcpSocket, sleep: anyObject });

const securityContext = object({
  privileged: boolean,
  runAsUser: integer64,
  runAsGroup: integer64,
  runAsNonRoot: boolean,
  readOnlyRootFilesystem: boolean,
  allowPrivilegeEscalation: boolean,
  capabilities: object({ add: stringList, drop: stringList }),
  seccompProfile: anyObject,
  seLinuxOptions: anyObject,
  procMount: string,
});

export const container: Schema = object(
  {
    name: string,
    image: string,
    command: stringList,
    args: stringList,
    workingDir: string,
    ports: {
      ...mergeList(containerPort, "containerPort"),
      "x-kubernetes-list-type": "map",
      "x-kubernetes-list-map-keys": ["containerPort", "protocol"],
    },
    env: mergeList(envVar, "name"),
    envFrom: arrayOf(envFromSource),
    resources: resourceRequirements,
    volumeMounts: mergeList(volumeMount, "mountPath"),
    livenessProbe: probe,
    readinessProbe: probe,
    startupProbe: probe,
    lifecycle: object({ postStart: lifecycleHandler, preStop: lifecycleHandler }),
    imagePullPolicy: string,
    securityContext,
    terminationMessagePath: string,
    terminationMessagePolicy: string,
    stdin: boolean,
    stdinOnce: boolean,
    tty: boolean,
    restartPolicy: string,
    resizePolicy: arrayOf(anyObject),
  },
  { required: ["name"] },
);

const keyToPath = object({ key: string, path: string, mode: integer }, { required: ["key", "path"] });

export const volume: Schema = object(
  {
    name: string,
    emptyDir: object({ medium: string, sizeLimit: quantity }),
    hostPath: object({ path: string, type: string }, { required: ["path"] }),
    secret: object({ secretName: string, items: arrayOf(keyToPath), defaultMode: integer, optional: boolean }),
    configMap: object({ name: string, items: arrayOf(keyToPath), defaultMode: integer, optional: boolean }),
    downwardAPI: object({
      items: arrayOf(object({ path: string, fieldRef, resourceFieldRef: anyObject, mode: integer }, { required: ["path"] })),
      defaultMode: integer,
    }),
    persistentVolumeClaim: object({ claimName: string, readOnly: boolean }, { required: ["claimName"] }),
    projected: anyObject,
    nfs: anyObject,
  },
  { required: ["name"] },
);

const toleration = object({ key: string, operator: string, value: string, effect: string, tolerationSeconds: integer64 });

export const podSpec: Schema = object(
  {
    containers: mergeList(container, "name"),
    initContainers: mergeList(container, "name"),
    ephemeralContainers: mergeList(anyObject, "name"),
    volumes: mergeList(volume, "name", "merge,retainKeys"),
    restartPolicy: string,
    terminationGracePeriodSeconds: integer64,
    activeDeadlineSeconds: integer64,
    dnsPolicy: string,
    dnsConfig: anyObject,
    nodeSelector: { ...mapOf(string), "x-kubernetes-map-type": "atomic" },
    serviceAccountName: string,
    serviceAccount: string,
    automountServiceAccountToken: boolean,
    nodeName: string,
    hostNetwork: boolean,
    hostPID: boolean,
    hostIPC: boolean,
    shareProcessNamespace: boolean,
    hostname: string,
    subdomain: string,
    securityContext: anyObject,
    imagePullSecrets: mergeList(object({ name: string }), "name"),
    affinity: anyObject,
    schedulerName: string,
    tolerations: arrayOf(toleration),
    hostAliases: mergeList(object({ ip: string, hostnames: stringList }), "ip"),
    priorityClassName: string,
    priority: integer,
    preemptionPolicy: string,
    readinessGates: arrayOf(object({ conditionType: string })),
    runtimeClassName: string,
    enableServiceLinks: boolean,
    overhead: mapOf(quantity),
    topologySpreadConstraints: arrayOf(anyObject),
    os: object({ name: string }),
  },
  { required: ["containers"] },
);

const containerState = object({
  waiting: object({ reason: string, message: string }),
  running: object({ startedAt: dateTime }),
  terminated: object({
    exitCode: integer,
    signal: integer,
    reason: string,
    message: string,
    startedAt: dateTime,
    finishedAt: dateTime,
    containerID: string,
  }),
});

const containerStatus = object({
  name: string,
  state: containerState,
  lastState: containerState,
  ready: boolean,
  restartCount: integer,
  image: string,
  imageID: string,
  containerID: string,
  started: boolean,
  allocatedResources: mapOf(quantity),
  resources: resourceRequirements,
  volumeMounts: arrayOf(anyObject),
});

const podCondition = object({
  type: string,
  status: string,
  lastProbeTime: dateTime,
  lastTransitionTime: dateTime,
  reason: string,
  message: string,
});

const ip = object({ ip: string });

export const podStatus: Schema = object({
  phase: string,
  conditions: mergeList(podCondition, "type"),
  message: string,
  reason: string,
  nominatedNodeName: string,
  hostIP: string,
  hostIPs: mergeList(ip, "ip"),
  podIP: string,
  podIPs: mergeList(ip, "ip"),
  startTime: dateTime,
  initContainerStatuses: arrayOf(containerStatus),
  containerStatuses: arrayOf(containerStatus),
  ephemeralContainerStatuses: arrayOf(containerStatus),
  qosClass: string,
});

export const pod: Schema = kindSchema(
  { spec: podSpec, status: podStatus },
  "Pod is a collection of containers that run together on a host.",
);

export const podTemplateSpec: Schema = object({ metadata: objectMeta, spec: podSpec });

export const binding: Schema = kindSchema(
  { target: objectReference },
  "Binding ties one object to another, e.g. a pod to a node.",
);

const nodeCondition = object({
  type: string,
  status: string,
  lastHeartbeatTime: dateTime,
  lastTransitionTime: dateTime,
  reason: string,
  message: string,
});

export const node: Schema = kindSchema(
  {
    spec: object({
      podCIDR: string,
      podCIDRs: arrayOf(string, { strategy: "merge" }),
      providerID: string,
      unschedulable: boolean,
      taints: arrayOf(
        object({ key: string, value: string, effect: string, timeAdded: dateTime }, { required: ["key", "effect"] }),
      ),
      externalID: string,
    }),
    status: object({
      capacity: mapOf(quantity),
      allocatable: mapOf(quantity),
      phase: string,
      conditions: mergeList(nodeCondition, "type"),
      addresses: mergeList(object({ type: string, address: string }, { required: ["type", "address"] }), "type"),
      daemonEndpoints: object({ kubeletEndpoint: object({ Port: integer }) }),
      nodeInfo: object({
        machineID: string,
        systemUUID: string,
        bootID: string,
        kernelVersion: string,
        osImage: string,
        containerRuntimeVersion: string,
        kubeletVersion: string,
        kubeProxyVersion: string,
        operatingSystem: string,
        architecture: string,
      }),
      images: arrayOf(object({ names: stringList, sizeBytes: integer64 })),
      volumesInUse: stringList,
      volumesAttached: arrayOf(anyObject),
      config: anyObject,
      runtimeHandlers: arrayOf(anyObject),
      features: anyObject,
    }),
  },
  "Node is a worker machine that runs pods.",
);

export const event: Schema = kindSchema(
  {
    involvedObject: objectReference,
    reason: string,
    message: string,
    source: object({ component: string, host: string }),
    firstTimestamp: dateTime,
    lastTimestamp: dateTime,
    count: integer,
    type: string,
    eventTime: { type: "string", format: "date-time" },
    series: anyObject,
    action: string,
    related: objectReference,
    reportingComponent: string,
    reportingInstance: string,
  },
  "Event is a report of something that happened to an object.",
);
