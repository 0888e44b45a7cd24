/**
 * Chapter 09, the scheduler's parts as pure functions on NodeInfo fixtures:
 * each filter plugin and its reasons, the "0/3 nodes are available" message,
 * the score plugins, the framework's filter and score runners, selectHost.
 * No server needed.
 */
import { describe, expect, it } from "vitest";
import { FitError, fitErrorMessage } from "@tree/09-scheduler/fit-error.ts";
import { Framework } from "@tree/09-scheduler/framework/framework.ts";
import { NodeInfo } from "@tree/09-scheduler/framework/node-info.ts";
import type { Profile } from "@tree/09-scheduler/framework/default-profile.ts";
import { podRequests } from "@tree/09-scheduler/framework/requests.ts";
import { CycleState, SKIP, SUCCESS, unschedulable, type Plugin, type Status } from "@tree/09-scheduler/framework/types.ts";
import { matchesNode, nodeAffinity, requirementMatches } from "@tree/09-scheduler/plugins/node-affinity.ts";
import { nodePorts, portsConflict } from "@tree/09-scheduler/plugins/node-ports.ts";
import { insufficientResources, leastAllocatedScore, nodeResourcesFit } from "@tree/09-scheduler/plugins/node-resources-fit.ts";
import { nodeUnschedulable } from "@tree/09-scheduler/plugins/node-unschedulable.ts";
import { normalizeSpread, selectorSpread } from "@tree/09-scheduler/plugins/selector-spread.ts";
import { firstUntoleratedTaint, taintToleration, tolerates } from "@tree/09-scheduler/plugins/taint-toleration.ts";
import {
  findNodesThatFit,
  NodeSampler,
  numFeasibleNodesToFind,
  schedulePod,
  seededRandom,
  selectHost,
} from "@tree/09-scheduler/schedule-one.ts";
import type { Container, Node, Pod, Taint, Toleration } from "../shared/api/index.ts";

const Gi = 2 ** 30;
const Mi = 2 ** 20;

function node(
  name: string,
  opts: {
    cpu?: string;
    memory?: string;
    pods?: number;
    labels?: Record<string, string>;
    taints?: Taint[];
    unschedulable?: boolean;
  } = {},
): Node {
  return {
    metadata: { name, labels: opts.labels ?? {} },
    spec: { taints: opts.taints, unschedulable: opts.unschedulable },
    status: { allocatable: { cpu: opts.cpu ?? "4", memory: opts.memory ?? "8Gi", pods: opts.pods ?? 110 } },
  };
}

function pod(
  name: string,
  opts: {
    cpu?: string;
    memory?: string;
    extra?: Record<string, string | number>;
    hostPort?: number;
    protocol?: "TCP" | "UDP";
    hostIP?: string;
    nodeSelector?: Record<string, string>;
    affinity?: Record<string, unknown>;
    tolerations?: Toleration[];
    labels?: Record<string, string>;
    owner?: string;
    namespace?: string;
  } = {},
): Pod {
  const requests: Record<string, string | number> = { ...opts.extra };
  if (opts.cpu) requests.cpu = opts.cpu;
  if (opts.memory) requests.memory = opts.memory;
  const container: Container = { name: "main", image: "busybox", resources: { requests } };
  if (opts.hostPort)
    container.ports = [{ containerPort: 80, hostPort: opts.hostPort, protocol: opts.protocol ?? "TCP", hostIP: opts.hostIP }];
  return {
    metadata: {
      name,
      namespace: opts.namespace ?? "default",
      uid: `uid-${name}`,
      labels: opts.labels,
      ownerReferences: opts.owner
        ? [{ apiVersion: "v1", kind: "ReplicationController", name: "rc", uid: opts.owner, controller: true }]
        : undefined,
    },
    spec: { containers: [container], nodeSelector: opts.nodeSelector, affinity: opts.affinity, tolerations: opts.tolerations },
  };
}

function info(n: Node, ...pods: Pod[]): NodeInfo {
  const i = new NodeInfo(n);
  for (const p of pods) i.addPod(p);
  return i;
}

const filter = (plugin: Plugin, p: Pod, i: NodeInfo): Status => plugin.filter!(new CycleState(), p, i);

describe("09.1 NodeResourcesFit: requests against what is free", () => {
  it("sums the containers' requests, takes the largest init container, and compares with the node", () => {
    const p: Pod = {
      metadata: { name: "p" },
      spec: {
        containers: [
          { name: "a", resources: { requests: { cpu: "100m", memory: "1Gi" } } },
          { name: "b", resources: { requests: { cpu: "0.2", memory: "1G" } } },
        ],
        initContainers: [{ name: "init", resources: { requests: { cpu: "500m", memory: "64Mi" } } }],
      },
    };
    expect(podRequests(p)).toEqual({ cpu: 500, memory: Gi + 1e9 });
    expect(podRequests(pod("p", { memory: "200Mi" })).memory).toBe(200 * Mi);
    expect(insufficientResources(podRequests(p), info(node("n", { cpu: "1", memory: "2Gi" })))).toEqual([]);
    expect(insufficientResources(podRequests(p), info(node("n", { cpu: "400m", memory: "2Gi" })))).toEqual(["Insufficient cpu"]);
  });

  it("a pod that fits gets no reason; the exact free amount still fits", () => {
    const n = info(node("n", { cpu: "2", memory: "4Gi" }), pod("a", { cpu: "1500m", memory: "3Gi" }));
    expect(insufficientResources(podRequests(pod("b", { cpu: "500m", memory: "1Gi" })), n)).toEqual([]);
    expect(filter(nodeResourcesFit, pod("b", { cpu: "500m", memory: "1Gi" }), n).code).toBe("Success");
  });

  it("counts what the pods already on the node requested", () => {
    const n = info(node("n", { cpu: "2", memory: "4Gi" }), pod("a", { cpu: "1500m", memory: "3Gi" }));
    expect(insufficientResources(podRequests(pod("b", { cpu: "600m" })), n)).toEqual(["Insufficient cpu"]);
    expect(insufficientResources(podRequests(pod("b", { memory: "1025Mi" })), n)).toEqual(["Insufficient memory"]);
    const status = filter(nodeResourcesFit, pod("b", { cpu: "1", memory: "2Gi" }), n);
    expect(status.code).toBe("Unschedulable");
    expect(status.reasons).toEqual(["Insufficient cpu", "Insufficient memory"]);
  });

  it("says Too many pods when the node's pod count is full, even for a pod that requests nothing", () => {
    const n = info(node("n", { pods: 2 }), pod("a"), pod("b"));
    expect(filter(nodeResourcesFit, pod("c"), n).reasons).toEqual(["Too many pods"]);
    expect(filter(nodeResourcesFit, pod("c"), info(node("n", { pods: 3 }), pod("a"), pod("b"))).code).toBe("Success");
  });

  it("checks other resources by name; a resource the node does not have is insufficient", () => {
    const n = info(node("n"));
    expect(filter(nodeResourcesFit, pod("gpu", { extra: { "nvidia.com/gpu": 1 } }), n).reasons).toEqual([
      "Insufficient nvidia.com/gpu",
    ]);
    // A pod that requests nothing fits even on a node whose CPU is all taken.
    expect(filter(nodeResourcesFit, pod("free"), info(node("n", { cpu: "1" }), pod("a", { cpu: "1" }))).code).toBe("Success");
  });
});

describe("09.2 NodeAffinity: nodeSelector and required node affinity", () => {
  const ssd = node("ssd", { labels: { disktype: "ssd", zone: "a", cores: "16" } });
  const hdd = node("hdd", { labels: { disktype: "hdd", zone: "b", cores: "4" } });
  const required = (...terms: unknown[]) => ({
    nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } },
  });

  it("nodeSelector: every pair must be a label of the node", () => {
    expect(matchesNode(pod("p", { nodeSelector: { disktype: "ssd" } }), ssd)).toBe(true);
    expect(matchesNode(pod("p", { nodeSelector: { disktype: "ssd" } }), hdd)).toBe(false);
    expect(matchesNode(pod("p", { nodeSelector: { disktype: "ssd", zone: "b" } }), ssd)).toBe(false);
    expect(matchesNode(pod("p"), hdd)).toBe(true);
  });

  it("operators In, NotIn, Exists, DoesNotExist, Gt, Lt", () => {
    expect(requirementMatches({ key: "zone", operator: "In", values: ["a", "c"] }, "a")).toBe(true);
    expect(requirementMatches({ key: "zone", operator: "In", values: ["a", "c"] }, "b")).toBe(false);
    expect(requirementMatches({ key: "zone", operator: "In", values: ["a"] }, undefined)).toBe(false);
    expect(requirementMatches({ key: "zone", operator: "NotIn", values: ["a"] }, "b")).toBe(true);
    expect(requirementMatches({ key: "zone", operator: "NotIn", values: ["a"] }, undefined)).toBe(true);
    expect(requirementMatches({ key: "zone", operator: "NotIn", values: ["a"] }, "a")).toBe(false);
    expect(requirementMatches({ key: "gpu", operator: "Exists" }, "")).toBe(true);
    expect(requirementMatches({ key: "gpu", operator: "Exists" }, undefined)).toBe(false);
    expect(requirementMatches({ key: "gpu", operator: "DoesNotExist" }, undefined)).toBe(true);
    expect(requirementMatches({ key: "cores", operator: "Gt", values: ["8"] }, "16")).toBe(true);
    expect(requirementMatches({ key: "cores", operator: "Gt", values: ["8"] }, "4")).toBe(false);
    expect(requirementMatches({ key: "cores", operator: "Lt", values: ["8"] }, "4")).toBe(true);
    expect(requirementMatches({ key: "cores", operator: "Gt", values: ["8"] }, "many")).toBe(false);
  });

  // Kubernetes: labels.Requirement.Matches (apimachinery/pkg/labels/selector.go) parses both
  // sides with strconv.ParseInt and matches nothing when either is not an integer.
  it("Gt and Lt: strict, exact integers, one value; a missing or non-integer label matches neither", () => {
    const gt = (values: string[], label: string | undefined) =>
      requirementMatches({ key: "cores", operator: "Gt", values }, label);
    const lt = (values: string[], label: string | undefined) =>
      requirementMatches({ key: "cores", operator: "Lt", values }, label);
    // Equal values: neither greater nor less.
    expect([gt(["8"], "8"), lt(["8"], "8")], "8 compared with 8").toEqual([false, false]);
    // Numbers, not text: "10" > "9" although "10" < "9" as strings.
    expect([gt(["9"], "10"), lt(["10"], "9")], "10 and 9 compared as numbers").toEqual([true, true]);
    // A missing label matches neither (unlike NotIn and DoesNotExist).
    expect([gt(["8"], undefined), lt(["8"], undefined)], "a node without the label").toEqual([false, false]);
    // A label that is not an integer, even one that starts like one.
    for (const label of ["many", "16cores", "1.5", "", " 16", "0x10"])
      expect([gt(["1"], label), lt(["100"], label)], `the label "${label}"`).toEqual([false, false]);
    // The value must be one integer: two values, none, or a word match no node.
    expect([gt(["8", "4"], "16"), gt([], "16"), gt(["eight"], "16")], "values [8, 4], [] and [eight]").toEqual([
      false,
      false,
      false,
    ]);
    // Kubernetes compares int64s: two labels past 2^53 still differ by one.
    expect(gt(["9007199254740992"], "9007199254740993"), "2^53 + 1 > 2^53").toBe(true);
    // strconv.ParseInt takes a sign, and nothing past int64: 2^63 is a parse error, 2^63 - 1 is not.
    expect([gt(["+5"], "6"), lt(["+5"], "-6")], "the value +5 is 5").toEqual([true, true]);
    expect([gt(["1"], "9223372036854775807"), gt(["1"], "9223372036854775808")], "2^63 - 1 and 2^63").toEqual([true, false]);
    expect(lt(["-9223372036854775809"], "0"), "-2^63 - 1 as the value").toBe(false);
  });

  it("terms are ORed, expressions in a term ANDed; an empty term matches nothing", () => {
    const zoneA = { matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }] };
    const bigHdd = {
      matchExpressions: [
        { key: "disktype", operator: "In", values: ["hdd"] },
        { key: "cores", operator: "Gt", values: ["8"] },
      ],
    };
    const p = pod("p", { affinity: required(zoneA, bigHdd) });
    expect(matchesNode(p, ssd)).toBe(true);
    expect(matchesNode(p, hdd)).toBe(false);
    expect(matchesNode(pod("p", { affinity: required({}) }), ssd)).toBe(false);
    const byName = pod("p", { affinity: required({ matchFields: [{ key: "metadata.name", operator: "In", values: ["hdd"] }] }) });
    expect(matchesNode(byName, hdd)).toBe(true);
    expect(matchesNode(byName, ssd)).toBe(false);
    // nodeSelector and affinity must both hold
    expect(matchesNode(pod("p", { nodeSelector: { disktype: "hdd" }, affinity: required(zoneA) }), ssd)).toBe(false);
  });

  it("the filter's reason is Kubernetes' sentence", () => {
    expect(filter(nodeAffinity, pod("p", { nodeSelector: { disktype: "ssd" } }), info(hdd)).reasons).toEqual([
      "node(s) didn't match Pod's node affinity/selector",
    ]);
    expect(filter(nodeAffinity, pod("p", { nodeSelector: { disktype: "ssd" } }), info(ssd))).toEqual(SUCCESS);
  });
});

describe("09.3 TaintToleration and NodeUnschedulable", () => {
  const gpu: Taint = { key: "dedicated", value: "gpu", effect: "NoSchedule" };

  it("matches tolerations to taints by key, value, operator and effect", () => {
    expect(tolerates({ key: "dedicated", operator: "Equal", value: "gpu", effect: "NoSchedule" }, gpu)).toBe(true);
    expect(tolerates({ key: "dedicated", value: "gpu" }, gpu)).toBe(true); // Equal is the default; empty effect matches all
    expect(tolerates({ key: "dedicated", operator: "Equal", value: "db" }, gpu)).toBe(false);
    expect(tolerates({ key: "dedicated", operator: "Exists" }, gpu)).toBe(true);
    expect(tolerates({ key: "other", operator: "Exists" }, gpu)).toBe(false);
    expect(tolerates({ operator: "Exists" }, gpu)).toBe(true); // tolerates everything
    expect(tolerates({ value: "gpu" }, gpu)).toBe(false); // an empty key needs Exists
    expect(tolerates({ key: "dedicated", operator: "Exists", effect: "NoExecute" }, gpu)).toBe(false);
    expect(tolerates({ key: "k", operator: "Equal" }, { key: "k", effect: "NoSchedule" })).toBe(true); // both values empty
  });

  it("names the first taint nobody tolerates; PreferNoSchedule never blocks", () => {
    const soft: Taint = { key: "soft", value: "x", effect: "PreferNoSchedule" };
    const evict: Taint = { key: "evict", effect: "NoExecute" };
    expect(firstUntoleratedTaint([soft, gpu, evict], [])).toEqual(gpu);
    expect(firstUntoleratedTaint([soft, gpu, evict], [{ key: "dedicated", operator: "Exists" }])).toEqual(evict);
    expect(firstUntoleratedTaint([soft], [])).toBeUndefined();
    const status = filter(taintToleration, pod("p"), info(node("n", { taints: [soft, gpu] })));
    expect(status.reasons).toEqual(["node(s) had untolerated taint {dedicated: gpu}"]);
    expect(
      filter(
        taintToleration,
        pod("p", { tolerations: [{ key: "dedicated", value: "gpu", effect: "NoSchedule" }] }),
        info(node("n", { taints: [gpu] })),
      ),
    ).toEqual(SUCCESS);
  });

  it("a cordoned node takes no pods, unless the pod tolerates the unschedulable taint", () => {
    const cordoned = info(node("n", { unschedulable: true }));
    expect(filter(nodeUnschedulable, pod("p"), cordoned).reasons).toEqual(["node(s) were unschedulable"]);
    expect(filter(nodeUnschedulable, pod("p"), info(node("n")))).toEqual(SUCCESS);
    const tolerant = pod("p", {
      tolerations: [{ key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" }],
    });
    expect(filter(nodeUnschedulable, tolerant, cordoned)).toEqual(SUCCESS);
  });
});

describe("09.4 NodePorts", () => {
  const tcp = (port: number, hostIP = "0.0.0.0") => ({ protocol: "TCP", hostIP, port });

  it("two host ports clash on the same protocol, port and an overlapping address", () => {
    expect(portsConflict(tcp(8080), tcp(8080))).toBe(true);
    expect(portsConflict(tcp(8080), tcp(8081))).toBe(false);
    expect(portsConflict(tcp(8080), { ...tcp(8080), protocol: "UDP" })).toBe(false);
    expect(portsConflict(tcp(8080, "127.0.0.1"), tcp(8080, "127.0.0.2"))).toBe(false);
    expect(portsConflict(tcp(8080, "127.0.0.1"), tcp(8080, "127.0.0.1"))).toBe(true);
    expect(portsConflict(tcp(8080, "127.0.0.1"), tcp(8080))).toBe(true);
    expect(portsConflict(tcp(8080), tcp(8080, "127.0.0.1"))).toBe(true);
  });

  // kube-scheduler's HostPortInfo.CheckConflict (pkg/scheduler/framework/types.go) knows one
  // "every address", DefaultBindAllHostIP = "0.0.0.0"; "::" is compared like any address.
  it("only 0.0.0.0 means every address, as in kube-scheduler; :: is an address like another", () => {
    expect(portsConflict(tcp(8080, "::"), tcp(8080, "::")), "[::]:8080 twice").toBe(true);
    expect(portsConflict(tcp(8080, "::"), tcp(8080)), "[::]:8080 and 0.0.0.0:8080").toBe(true);
    expect(portsConflict(tcp(8080, "::"), tcp(8080, "10.0.0.5")), "[::]:8080 and 10.0.0.5:8080").toBe(false);
    expect(portsConflict(tcp(8080, "10.0.0.5"), tcp(8080, "::")), "10.0.0.5:8080 and [::]:8080").toBe(false);
  });

  it("the filter refuses a node where a pod already holds the port", () => {
    const n = info(node("n"), pod("web", { hostPort: 8080 }));
    expect(filter(nodePorts, pod("p", { hostPort: 8080 }), n).reasons).toEqual([
      "node(s) didn't have free ports for the requested pod ports",
    ]);
    expect(filter(nodePorts, pod("p", { hostPort: 8080, protocol: "UDP" }), n)).toEqual(SUCCESS);
    expect(filter(nodePorts, pod("p"), n)).toEqual(SUCCESS);
    n.removePod(pod("web", { hostPort: 8080 }));
    expect(filter(nodePorts, pod("p", { hostPort: 8080 }), n)).toEqual(SUCCESS);
  });
});

describe("09.5 the failure message", () => {
  it("counts nodes per reason, sorts the phrases and ends with a full stop", () => {
    const statuses = new Map<string, Status>([
      ["a", unschedulable("Insufficient memory")],
      ["b", unschedulable("node(s) didn't match Pod's node affinity/selector")],
      ["c", unschedulable("Insufficient memory")],
    ]);
    expect(fitErrorMessage(3, statuses)).toBe(
      "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 2 Insufficient memory.",
    );
  });

  it("a node with several reasons counts for each of them", () => {
    const statuses = new Map<string, Status>([
      ["a", unschedulable("Insufficient cpu", "Insufficient memory")],
      ["b", unschedulable("Insufficient memory")],
      ["c", unschedulable("node(s) were unschedulable")],
      ["d", unschedulable("node(s) had untolerated taint {dedicated: gpu}")],
    ]);
    expect(fitErrorMessage(4, statuses)).toBe(
      "0/4 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {dedicated: gpu}, 1 node(s) were unschedulable, 2 Insufficient memory.",
    );
    expect(new FitError(4, statuses).message).toBe(fitErrorMessage(4, statuses));
  });

  it("the parts sort as text, counts included: 10 comes before 2", () => {
    const statuses = new Map<string, Status>();
    for (let i = 0; i < 10; i++) statuses.set(`cpu-${i}`, unschedulable("Insufficient cpu"));
    for (let i = 0; i < 2; i++) statuses.set(`cordoned-${i}`, unschedulable("node(s) were unschedulable"));
    expect(fitErrorMessage(12, statuses)).toBe("0/12 nodes are available: 10 Insufficient cpu, 2 node(s) were unschedulable.");
  });
});

describe("09.6 scores: LeastAllocated and SelectorSpread", () => {
  it("LeastAllocated: the share of CPU and memory left free after the pod, averaged", () => {
    const n = info(node("n", { cpu: "4", memory: "8Gi" }), pod("a", { cpu: "1", memory: "2Gi" }));
    expect(leastAllocatedScore(pod("p", { cpu: "1", memory: "2Gi" }), n)).toBe(50);
    expect(leastAllocatedScore(pod("p", { cpu: "3", memory: "1Gi" }), n)).toBe(31); // cpu 0, memory 62.5 -> 62; (0 + 62) / 2
    // A pod that asks for nothing counts as 100m and 200Mi when scoring.
    expect(leastAllocatedScore(pod("p"), info(node("n", { cpu: "4", memory: "8Gi" })))).toBe(97);
    expect(nodeResourcesFit.score!(new CycleState(), pod("p", { cpu: "1", memory: "2Gi" }), n)).toBe(50);
  });

  it("SelectorSpread counts the pod's peers: same controller, same namespace, not being deleted", () => {
    const leaving = pod("rc-old", { owner: "rc-uid" });
    leaving.metadata!.deletionTimestamp = "2026-01-01T00:00:00Z";
    const n = info(
      node("n"),
      pod("rc-1", { owner: "rc-uid" }),
      pod("rc-2", { owner: "rc-uid" }),
      leaving,
      pod("other", { owner: "other-uid" }),
      pod("web-1", { labels: { app: "web" } }),
      pod("rc-elsewhere", { owner: "rc-uid", namespace: "elsewhere" }),
    );
    const score = (p: Pod) => selectorSpread.score!(new CycleState(), p, n);
    expect(score(pod("rc-3", { owner: "rc-uid" }))).toBe(2);
    // the pod itself, if already counted on the node, is not its own peer
    expect(score(pod("rc-1", { owner: "rc-uid" }))).toBe(1);
    // Same labels but no controller: nothing selects them together, so nothing to spread by.
    expect(score(pod("web-2", { labels: { app: "web" } }))).toBe(0);
    expect(score(pod("lonely"))).toBe(0);
    // Such a pod is not scored by SelectorSpread at all: its preScore answers Skip.
    expect(selectorSpread.preScore!(new CycleState(), pod("web-2", { labels: { app: "web" } }), [])).toEqual(SKIP);
    expect(selectorSpread.preScore!(new CycleState(), pod("rc-3", { owner: "rc-uid" }), [])?.code).not.toBe("Skip");
  });

  it("normalising turns counts into 100 for the emptiest node and 0 for the fullest", () => {
    const scores = [{ score: 0 }, { score: 2 }, { score: 1 }];
    normalizeSpread(scores);
    expect(scores.map((s) => s.score)).toEqual([100, 0, 50]);
    const none = [{ score: 0 }, { score: 0 }];
    normalizeSpread(none);
    expect(none.map((s) => s.score)).toEqual([100, 100]);
  });
});

function framework(plugins: Plugin[], weights: Record<string, number> = {}): Framework {
  const profile: Profile = { schedulerName: "test", plugins, weights };
  return new Framework(profile);
}

describe("09.7 the filter phase", () => {
  const refuse = (name: string, reason: string, calls: string[] = []): Plugin => ({
    name,
    filter: (_s, _p, n) => {
      calls.push(`${name}:${n.name}`);
      return n.name === "bad" ? unschedulable(reason) : SUCCESS;
    },
  });

  it("runs the filters in order and stops at the first no, naming the plugin", () => {
    const calls: string[] = [];
    const fwk = framework([refuse("First", "first says no", calls), refuse("Second", "second says no", calls)]);
    expect(fwk.runFilterPlugins(new CycleState(), pod("p"), info(node("bad")))).toEqual({
      code: "Unschedulable",
      reasons: ["first says no"],
      plugin: "First",
    });
    expect(calls).toEqual(["First:bad"]);
    expect(fwk.runFilterPlugins(new CycleState(), pod("p"), info(node("good")))).toEqual(SUCCESS);
    expect(calls).toEqual(["First:bad", "First:good", "Second:good"]);
  });

  it("does not run a filter whose preFilter answered Skip for this pod", () => {
    const calls: string[] = [];
    const skipping: Plugin = { ...refuse("Skipper", "skipper says no", calls), preFilter: () => SKIP };
    const fwk = framework([skipping, refuse("Other", "other says no", calls)]);
    const state = new CycleState();
    expect(fwk.runPreFilterPlugins(state, pod("p"))).toEqual(SUCCESS);
    expect(fwk.runFilterPlugins(state, pod("p"), info(node("bad")))).toMatchObject({ plugin: "Other" });
    expect(calls).toEqual(["Other:bad"]);
    // A new cycle that did not run the preFilters runs every filter.
    expect(fwk.runFilterPlugins(new CycleState(), pod("p"), info(node("bad")))).toMatchObject({ plugin: "Skipper" });
    // The default plugins that skip: NodeAffinity for a pod with no selector, NodePorts for one with no host port.
    expect(nodeAffinity.preFilter!(new CycleState(), pod("p"))).toEqual(SKIP);
    expect(nodePorts.preFilter!(new CycleState(), pod("p"))).toEqual(SKIP);
    const picky = { ...pod("q"), spec: { ...pod("q").spec!, nodeSelector: { zone: "a" } } };
    expect(nodeAffinity.preFilter!(new CycleState(), picky)?.code).not.toBe("Skip");
  });

  it("keeps the feasible nodes and the reasons of the others", () => {
    const fwk = framework([nodeResourcesFit, nodeAffinity]);
    const nodes = [
      info(node("small", { memory: "1Gi", labels: { zone: "a" } })),
      info(node("big", { memory: "8Gi", labels: { zone: "a" } })),
      info(node("far", { memory: "8Gi", labels: { zone: "b" } })),
    ];
    const { feasible, statuses } = findNodesThatFit(
      fwk,
      new CycleState(),
      pod("p", { memory: "2Gi", nodeSelector: { zone: "a" } }),
      nodes,
    );
    expect(feasible.map((n) => n.name)).toEqual(["big"]);
    expect([...statuses.keys()].sort()).toEqual(["far", "small"]);
    expect(statuses.get("small")?.reasons).toEqual(["Insufficient memory"]);
    expect(statuses.get("far")?.plugin).toBe("NodeAffinity");
    expect(() => schedulePod(fwk, new CycleState(), pod("p", { memory: "16Gi" }), nodes, Math.random)).toThrow(
      "0/3 nodes are available: 3 Insufficient memory.",
    );
  });

  it("stops once enough nodes fit, and goes round the end of the list from where it starts", () => {
    const fwk = framework([nodeResourcesFit]);
    const nodes = Array.from({ length: 1000 }, (_, i) => info(node(`n${String(i).padStart(4, "0")}`, { memory: "8Gi" })));
    const enough = numFeasibleNodesToFind(nodes.length);
    expect(enough).toBe(420); // 1000 nodes: 50% - 8% = 42%
    expect(numFeasibleNodesToFind(50)).toBe(50); // a small cluster: every node
    expect(numFeasibleNodesToFind(5000)).toBe(500); // at least 5% ... here 10%
    const { feasible } = findNodesThatFit(fwk, new CycleState(), pod("p", { memory: "1Gi" }), nodes, enough);
    expect(feasible).toHaveLength(enough);
    // Filtering from there goes round the end of the list to its start.
    const round = findNodesThatFit(fwk, new CycleState(), pod("c", { memory: "1Gi" }), nodes, enough, 900);
    expect(round.feasible.map((n) => n.name).slice(98, 102)).toEqual(["n0998", "n0999", "n0000", "n0001"]);
  });
});

describe("09.8 scoring and choosing the node", () => {
  // The filter phase of 09.7 seen through schedulePod, which also scores and chooses (09.8).
  it("the next cycle starts filtering where this one stopped, and a pod that fits nowhere is judged on every node", () => {
    const fwk = framework([nodeResourcesFit]);
    const nodes = Array.from({ length: 1000 }, (_, i) => info(node(`n${String(i).padStart(4, "0")}`, { memory: "8Gi" })));
    const enough = numFeasibleNodesToFind(nodes.length);
    const sampler = new NodeSampler();
    const first = schedulePod(fwk, new CycleState(), pod("a", { memory: "1Gi" }), nodes, () => 0, sampler);
    expect(first.evaluatedNodes).toBe(enough);
    expect(sampler.start(nodes.length)).toBe(enough);
    // A pod that fits nowhere is still judged on every node, for its message.
    expect(() => schedulePod(fwk, new CycleState(), pod("b", { memory: "16Gi" }), nodes, () => 0, sampler)).toThrow(
      "0/1000 nodes are available: 1000 Insufficient memory.",
    );
  });
});

describe("09.8 scoring and choosing the node", () => {
  const constant = (name: string, byNode: Record<string, number>, normalize?: Plugin["normalizeScore"]): Plugin => ({
    name,
    score: (_s, _p, n) => byNode[n.name] ?? 0,
    normalizeScore: normalize,
  });
  const nodes = [info(node("a")), info(node("b")), info(node("c"))];

  it("normalises each plugin's scores, weighs them and sums per node", () => {
    const double: Plugin["normalizeScore"] = (_s, _p, scores) => scores.forEach((s) => (s.score *= 2));
    const fwk = framework([constant("One", { a: 10, b: 20, c: 30 }), constant("Two", { a: 40, b: 5, c: 0 }, double)], { One: 3 });
    expect(fwk.runScorePlugins(new CycleState(), pod("p"), nodes)).toEqual([
      { name: "a", score: 3 * 10 + 80 },
      { name: "b", score: 3 * 20 + 10 },
      { name: "c", score: 3 * 30 + 0 },
    ]);
  });

  it("does not score with a plugin whose preScore answered Skip", () => {
    const calls: string[] = [];
    const skipper: Plugin = {
      ...constant("Skipper", { a: 100, b: 0, c: 0 }),
      preScore: () => SKIP,
      normalizeScore: () => calls.push("normalize"),
    };
    const fwk = framework([skipper, constant("Other", { a: 0, b: 50, c: 10 })]);
    expect(fwk.runScorePlugins(new CycleState(), pod("p"), nodes)).toEqual([
      { name: "a", score: 0 },
      { name: "b", score: 50 },
      { name: "c", score: 10 },
    ]);
    expect(calls).toEqual([]);
  });

  it("refuses a score outside 0..100, naming the plugin", () => {
    const fwk = framework([constant("Wild", { a: 150 })]);
    expect(() => fwk.runScorePlugins(new CycleState(), pod("p"), nodes)).toThrow(/Wild/);
  });

  it("picks the best node, and spreads ties evenly", () => {
    expect(
      selectHost(
        [
          { name: "a", score: 10 },
          { name: "b", score: 90 },
          { name: "c", score: 50 },
        ],
        Math.random,
      ),
    ).toBe("b");
    const random = seededRandom(42);
    const counts: Record<string, number> = { a: 0, b: 0, c: 0, d: 0 };
    for (let i = 0; i < 300; i++) {
      counts[
        selectHost(
          [
            { name: "a", score: 70 },
            { name: "b", score: 70 },
            { name: "c", score: 70 },
            { name: "d", score: 10 },
          ],
          random,
        )
      ]!++;
    }
    expect(counts.d).toBe(0);
    for (const n of ["a", "b", "c"]) expect(counts[n]).toBeGreaterThan(60);
  });

  it("the whole cycle: filters, then scores, with the default plugins", () => {
    const fwk = framework([nodeResourcesFit, selectorSpread], { SelectorSpread: 2 });
    const busy = info(node("busy"), pod("rc-1", { owner: "rc", cpu: "100m" }));
    const idle = info(node("idle"));
    const full = info(node("full", { cpu: "1" }), pod("hog", { cpu: "1" }));
    const result = schedulePod(fwk, new CycleState(), pod("rc-2", { owner: "rc", cpu: "100m" }), [busy, idle, full], Math.random);
    expect(result).toEqual({ suggestedHost: "idle", evaluatedNodes: 3, feasibleNodes: 2 });
  });
});
