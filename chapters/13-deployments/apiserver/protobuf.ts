/**
 * The wire format of Deployment, ReplicaSet and PodDisruptionBudget, for the
 * real kubectl's typed commands: `kubectl create deployment web --image=busybox`
 * and `kubectl create pdb` send protobuf. Field numbers are Kubernetes'
 * (k8s.io/api apps/v1, policy/v1 and core/v1 generated.proto; IntOrString and
 * Condition from k8s.io/apimachinery); chapter 03's http/protobuf.ts does the reading.
 *
 * Only the fields a pod template needs in this workshop are listed. Any other
 * field number (a volume, a probe, an affinity) is a 400 that names it, so a
 * field is never dropped without a word: send such an object as JSON
 * (`kubectl apply -f`).
 */
import { metadataField, ObjectMeta, type FieldType, type Message } from "../../03-apiserver/http/protobuf.ts";

/** intstr.IntOrString { 1 type (0 int, 1 string), 2 intVal, 3 strVal }: JSON has a number or a string. */
const IntOrString: FieldType = {
  message: { 1: ["type", "int64"], 2: ["intVal", "int64"], 3: ["strVal", "string"] },
  json: (v) => (v.type === 1 ? (v.strVal ?? "") : (v.intVal ?? 0)),
};

const LabelSelector: Message = {
  1: ["matchLabels", { map: "string" }],
  2: [
    "matchExpressions",
    { message: { 1: ["key", "string"], 2: ["operator", "string"], 3: ["values", "string", "repeated"] } },
    "repeated",
  ],
};

const Container: Message = {
  1: ["name", "string"],
  2: ["image", "string"],
  3: ["command", "string", "repeated"],
  4: ["args", "string", "repeated"],
  5: ["workingDir", "string"],
  6: [
    "ports",
    {
      message: {
        1: ["name", "string"],
        2: ["hostPort", "int64"],
        3: ["containerPort", "int64"],
        4: ["protocol", "string"],
        5: ["hostIP", "string"],
      },
    },
    "repeated",
  ],
  7: ["env", { message: { 1: ["name", "string"], 2: ["value", "string"] } }, "repeated"],
  8: ["resources", { message: { 1: ["limits", { map: "quantity" }], 2: ["requests", { map: "quantity" }] } }],
  13: ["terminationMessagePath", "string"],
  14: ["imagePullPolicy", "string"],
  16: ["stdin", "bool"],
  17: ["stdinOnce", "bool"],
  18: ["tty", "bool"],
  20: ["terminationMessagePolicy", "string"],
};

const PodSpec: Message = {
  2: ["containers", { message: Container }, "repeated"],
  3: ["restartPolicy", "string"],
  4: ["terminationGracePeriodSeconds", "int64", "pointer"],
  5: ["activeDeadlineSeconds", "int64", "pointer"],
  6: ["dnsPolicy", "string"],
  7: ["nodeSelector", { map: "string" }],
  8: ["serviceAccountName", "string"],
  9: ["serviceAccount", "string"],
  10: ["nodeName", "string"],
  11: ["hostNetwork", "bool"],
  12: ["hostPID", "bool"],
  13: ["hostIPC", "bool"],
  16: ["hostname", "string"],
  17: ["subdomain", "string"],
  19: ["schedulerName", "string"],
  20: ["initContainers", { message: Container }, "repeated"],
  21: ["automountServiceAccountToken", "bool", "pointer"],
  24: ["priorityClassName", "string"],
};

const PodTemplateSpec: Message = { 1: ["metadata", { message: ObjectMeta }], 2: ["spec", { message: PodSpec }] };

const Condition: Message = {
  1: ["type", "string"],
  2: ["status", "string"],
  3: ["lastTransitionTime", "time"],
  4: ["reason", "string"],
  5: ["message", "string"],
  6: ["lastUpdateTime", "time"],
};

/** Deployment { 1 metadata, 2 spec, 3 status }. The status is read too (kubectl sends an empty one) and then ignored on create. */
export const DeploymentMessage: Message = {
  1: metadataField,
  2: [
    "spec",
    {
      message: {
        1: ["replicas", "int64", "pointer"],
        2: ["selector", { message: LabelSelector }],
        3: ["template", { message: PodTemplateSpec }],
        4: [
          "strategy",
          {
            message: {
              1: ["type", "string"],
              2: [
                "rollingUpdate",
                { message: { 1: ["maxUnavailable", IntOrString, "pointer"], 2: ["maxSurge", IntOrString, "pointer"] } },
              ],
            },
          },
        ],
        5: ["minReadySeconds", "int64"],
        6: ["revisionHistoryLimit", "int64", "pointer"],
        7: ["paused", "bool"],
        9: ["progressDeadlineSeconds", "int64", "pointer"],
      },
    },
  ],
  3: [
    "status",
    {
      message: {
        1: ["observedGeneration", "int64"],
        2: ["replicas", "int64"],
        3: ["updatedReplicas", "int64"],
        4: ["availableReplicas", "int64"],
        5: ["unavailableReplicas", "int64"],
        6: ["conditions", { message: Condition }, "repeated"],
        7: ["readyReplicas", "int64"],
        8: ["collisionCount", "int64", "pointer"],
        9: ["terminatingReplicas", "int64", "pointer"],
      },
    },
  ],
};

/** ReplicaSet { 1 metadata, 2 spec, 3 status }. */
export const ReplicaSetMessage: Message = {
  1: metadataField,
  2: [
    "spec",
    {
      message: {
        1: ["replicas", "int64", "pointer"],
        2: ["selector", { message: LabelSelector }],
        3: ["template", { message: PodTemplateSpec }],
        4: ["minReadySeconds", "int64"],
      },
    },
  ],
  3: [
    "status",
    {
      message: {
        1: ["replicas", "int64"],
        2: ["fullyLabeledReplicas", "int64"],
        3: ["observedGeneration", "int64"],
        4: ["readyReplicas", "int64"],
        5: ["availableReplicas", "int64"],
        6: ["conditions", { message: Condition }, "repeated"],
        7: ["terminatingReplicas", "int64", "pointer"],
      },
    },
  ],
};

/** metav1.Condition, the condition type of newer kinds (PodDisruptionBudget's status). */
const MetaCondition: Message = {
  1: ["type", "string"],
  2: ["status", "string"],
  3: ["observedGeneration", "int64"],
  4: ["lastTransitionTime", "time"],
  5: ["reason", "string"],
  6: ["message", "string"],
};

/**
 * PodDisruptionBudget { 1 metadata, 2 spec, 3 status }: `kubectl create pdb`.
 * minAvailable and maxUnavailable are pointers in Go: minAvailable 0 is written
 * and kept, an unset one stays unset (the budget uses the other).
 */
export const PodDisruptionBudgetMessage: Message = {
  1: metadataField,
  2: [
    "spec",
    {
      message: {
        1: ["minAvailable", IntOrString, "pointer"],
        2: ["selector", { message: LabelSelector }],
        3: ["maxUnavailable", IntOrString, "pointer"],
        4: ["unhealthyPodEvictionPolicy", "string"],
      },
    },
  ],
  3: [
    "status",
    {
      message: {
        1: ["observedGeneration", "int64"],
        2: ["disruptedPods", { map: "time" }],
        3: ["disruptionsAllowed", "int64"],
        4: ["currentHealthy", "int64"],
        5: ["desiredHealthy", "int64"],
        6: ["expectedPods", "int64"],
        7: ["conditions", { message: MetaCondition }, "repeated"],
      },
    },
  ],
};
