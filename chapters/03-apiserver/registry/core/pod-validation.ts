/** Validation and defaults of pods: the rules Kubernetes checks first. */
import {
  deepEqual,
  field,
  isDNS1123Label,
  isObject,
  isValidPortNumber,
  validateDNS1123Label,
  type Container,
  type FieldError,
  type Pod,
  type PodSpec,
} from "../../../../shared/api/index.ts";

const RESTART_POLICIES = ["Always", "OnFailure", "Never"] as const;
const PULL_POLICIES = ["Always", "Never", "IfNotPresent"] as const;
const PROTOCOLS = ["TCP", "UDP", "SCTP"] as const;

export function defaultPod(pod: Pod): void {
  const spec = pod.spec;
  if (!isObject(spec)) return;
  spec.restartPolicy ??= "Always";
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= "ClusterFirst";
  spec.schedulerName ??= "default-scheduler";
  spec.enableServiceLinks ??= true;
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    if (!isObject(c)) continue;
    c.terminationMessagePath ??= "/dev/termination-log";
    c.terminationMessagePolicy ??= "File";
    if (!c.imagePullPolicy && typeof c.image === "string") {
      // Like Kubernetes: ":latest" (or no tag) is pulled every time, a pinned tag only when missing.
      const lastPart = c.image.split("/").pop() ?? "";
      c.imagePullPolicy = !lastPart.includes(":") || lastPart.endsWith(":latest") ? "Always" : "IfNotPresent";
    }
    for (const p of c.ports ?? []) if (isObject(p)) p.protocol ??= "TCP";
  }
}

export function validatePod(pod: Pod): FieldError[] {
  const spec = pod.spec;
  if (!isObject(spec)) return [field.required("spec")];
  const errs: FieldError[] = [];
  if (!Array.isArray(spec.containers) || spec.containers.length === 0) errs.push(field.required("spec.containers"));
  const volumeNames = new Set<string>();
  (spec.volumes ?? []).forEach((v, i) => {
    const path = `spec.volumes[${i}]`;
    if (!v.name) errs.push(field.required(`${path}.name`));
    else if (!isDNS1123Label(v.name))
      errs.push(...validateDNS1123Label(v.name).map((m) => field.invalid(`${path}.name`, v.name, m)));
    else if (volumeNames.has(v.name)) errs.push(field.duplicate(`${path}.name`, v.name));
    volumeNames.add(v.name);
    const sources = [
      "emptyDir",
      "hostPath",
      "secret",
      "configMap",
      "downwardAPI",
      "persistentVolumeClaim",
      "projected",
      "nfs",
    ].filter((k) => (v as unknown as Record<string, unknown>)[k] !== undefined);
    if (sources.length > 1) errs.push(field.forbidden(`${path}.${sources[1]}`, "may not specify more than 1 volume type"));
  });
  const names = new Set<string>();
  const check = (list: Container[] | undefined, prefix: string) =>
    (list ?? []).forEach((c, i) => errs.push(...validateContainer(c, `${prefix}[${i}]`, names, volumeNames)));
  check(spec.containers, "spec.containers");
  check(spec.initContainers, "spec.initContainers");
  if (spec.restartPolicy !== undefined && !RESTART_POLICIES.includes(spec.restartPolicy)) {
    errs.push(field.notSupported("spec.restartPolicy", spec.restartPolicy, RESTART_POLICIES));
  }
  if (spec.terminationGracePeriodSeconds !== undefined && spec.terminationGracePeriodSeconds < 0) {
    errs.push(
      field.invalid(
        "spec.terminationGracePeriodSeconds",
        spec.terminationGracePeriodSeconds,
        "must be greater than or equal to 0",
      ),
    );
  }
  return errs;
}

function validateContainer(c: Container, path: string, names: Set<string>, volumes: Set<string>): FieldError[] {
  const errs: FieldError[] = [];
  if (!c.name) errs.push(field.required(`${path}.name`));
  else if (!isDNS1123Label(c.name))
    errs.push(...validateDNS1123Label(c.name).map((m) => field.invalid(`${path}.name`, c.name, m)));
  else if (names.has(c.name)) errs.push(field.duplicate(`${path}.name`, c.name));
  names.add(c.name);
  if (!c.image || c.image.trim() === "") errs.push(field.required(`${path}.image`));
  if (c.imagePullPolicy !== undefined && !PULL_POLICIES.includes(c.imagePullPolicy)) {
    errs.push(field.notSupported(`${path}.imagePullPolicy`, c.imagePullPolicy, PULL_POLICIES));
  }
  (c.ports ?? []).forEach((p, j) => {
    if (!isValidPortNumber(p.containerPort))
      errs.push(field.invalid(`${path}.ports[${j}].containerPort`, p.containerPort, "must be between 1 and 65535, inclusive"));
    if (p.hostPort !== undefined && p.hostPort !== 0 && !isValidPortNumber(p.hostPort)) {
      errs.push(field.invalid(`${path}.ports[${j}].hostPort`, p.hostPort, "must be between 1 and 65535, inclusive"));
    }
    if (p.protocol !== undefined && !PROTOCOLS.includes(p.protocol))
      errs.push(field.notSupported(`${path}.ports[${j}].protocol`, p.protocol, PROTOCOLS));
  });
  (c.env ?? []).forEach((e, j) => {
    if (!e.name) errs.push(field.required(`${path}.env[${j}].name`));
  });
  (c.volumeMounts ?? []).forEach((m, j) => {
    if (!m.name) errs.push(field.required(`${path}.volumeMounts[${j}].name`));
    else if (!volumes.has(m.name)) errs.push(field.notFound(`${path}.volumeMounts[${j}].name`, m.name));
    if (!m.mountPath) errs.push(field.required(`${path}.volumeMounts[${j}].mountPath`));
    // A subPath is a folder inside the volume: it must not climb out of it.
    if (m.subPath !== undefined && (m.subPath.startsWith("/") || m.subPath.split("/").includes(".."))) {
      errs.push(field.invalid(`${path}.volumeMounts[${j}].subPath`, m.subPath, "must be a relative path without '..'"));
    }
  });
  return errs;
}

/**
 * A pod's spec is fixed once created, except container images, the
 * termination grace period, activeDeadlineSeconds and added tolerations
 * (what Kubernetes allows). The node is set once, by the binding.
 */
export function validatePodUpdate(pod: Pod, old: Pod): FieldError[] {
  const errs: FieldError[] = [];
  if (old.spec?.nodeName && pod.spec?.nodeName !== old.spec.nodeName) {
    // (Setting it on an unbound pod is what the binding subresource does.)
    errs.push(field.forbidden("spec.nodeName", "may not be changed once the pod is bound to a node"));
  }
  const mutable = (spec: PodSpec | undefined): unknown => {
    if (!spec) return spec;
    const strip = (cs: Container[] | undefined) => cs?.map((c) => ({ ...c, image: undefined }));
    return {
      ...spec,
      containers: strip(spec.containers),
      initContainers: strip(spec.initContainers),
      activeDeadlineSeconds: undefined,
      terminationGracePeriodSeconds: undefined,
      tolerations: undefined,
      nodeName: undefined,
    };
  };
  if (!deepEqual(mutable(pod.spec), mutable(old.spec))) {
    errs.push(
      field.forbidden(
        "spec",
        "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
      ),
    );
  }
  return errs;
}
