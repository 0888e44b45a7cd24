/**
 * Tests allowed to pass on a chapter's untouched starter.
 *
 * `npm run verify:starters` runs every chapter's tests on a tree where that
 * chapter is the untouched starter, and every test must fail there: a test
 * that passes without the learner's code cannot tell a right answer from no
 * answer. The rare exception (a test of code the chapter is given, such as an
 * error message of shared/) is listed here with its reason.
 */
export interface AllowedStarterPass {
  /** The test file, relative to the repo root. */
  file: string;
  /** The test's full name as vitest reports it ("describe > it"). */
  test: string;
  reason: string;
}

export const STARTER_ALLOWLIST: AllowedStarterPass[] = [
  {
    file: "test/09-cache.unit.test.ts",
    test: "09 chapter > cache: a node's update keeps the sorted node list; a node joining or leaving changes it",
    reason: "the scheduler cache's node list is given code (chapter 09's cache/cache.ts)",
  },
  {
    file: "test/09-events.unit.test.ts",
    test: "09 chapter > events are written by a few writers, not one connection per event",
    reason: "the EventRecorder's queue and writers are given code (chapter 09's events.ts)",
  },
  {
    file: "test/09-events.unit.test.ts",
    test: "09 chapter > when the queue is full, new events are dropped and counted, and the queued ones still go out",
    reason: "the EventRecorder's queue and writers are given code (chapter 09's events.ts)",
  },
  {
    file: "test/13-kubelet-events.unit.test.ts",
    test: "13 chapter > the same event again is one object with a count, not a new object each time",
    reason: "the counting of repeated events is given code (chapter 09's EventRecorder)",
  },
  {
    file: "test/13-kubelet-events.unit.test.ts",
    test: "13 chapter > the runtime wrapper reports Pulled, Created, Started and Killing for app containers, not for the pause container",
    reason: "the kubelet's events (kubelet/kubelet-events.ts) are given code in chapter 13",
  },
  {
    file: "test/13-kubelet-events.unit.test.ts",
    test: "13 chapter > a waiting container becomes Kubernetes' event: BackOff, Failed, ErrImageNeverPull",
    reason: "the kubelet's events (kubelet/kubelet-events.ts) are given code in chapter 13",
  },
  {
    file: "test/13-protobuf.test.ts",
    test: "13 chapter > bad protobuf Deployment bodies get a 4xx Status, never a 500; unknown fields are named, not dropped",
    reason: "the apps/v1 protobuf messages (apiserver/protobuf.ts) are given code in chapter 13",
  },
  {
    file: "test/13-protobuf.test.ts",
    test: "13 chapter > the real kubectl's create pdb (protobuf) keeps minAvailable as a number and maxUnavailable as a percentage",
    reason:
      "the policy/v1 protobuf message (apiserver/protobuf.ts) and the PodDisruptionBudget resource are given code in chapter 13",
  },
  {
    file: "test/08-api.test.ts",
    test: "08 chapter > the ReplicationController resource (given) > is created with defaults (selector and labels from the template, replicas 1) and an empty status",
    reason: "defaulting is given code in chapter 08 (boilerplate, not a step)",
  },
  {
    file: "test/08-api.test.ts",
    test: "08 chapter > the ReplicationController resource (given) > refuses an RC whose selector does not match its template, with Kubernetes' message",
    reason: "validation is given code in chapter 08 (exact messages, not a step)",
  },
  {
    file: "test/08-api.test.ts",
    test: "08 chapter > the ReplicationController resource (given) > serves a Table with DESIRED CURRENT READY (and CONTAINERS IMAGES SELECTOR for -o wide), and the short name rc in discovery",
    reason: "the RC resource's columns and discovery are given code in chapter 08",
  },
  {
    file: "test/08-api.test.ts",
    test: "08 chapter > DELETE with propagationPolicy=Orphan (given) > keeps the RC, marked, with the orphan finalizer (for the garbage collector); Background deletes it at once",
    reason: "the orphan finalizer on DELETE (garbage-collector/deletion-policy.ts) is given code in chapter 08",
  },
  {
    file: "test/08-replication.unit.test.ts",
    test: "08 chapter > the ReplicationController resource (given) > defaults the selector and labels from the template, replicas to 1, and the template's pod spec",
    reason: "defaulting is given code in chapter 08 (boilerplate, not a step)",
  },
  {
    file: "test/08-replication.unit.test.ts",
    test: "08 chapter > the ReplicationController resource (given) > accepts a valid RC and explains every problem of an invalid one",
    reason: "validation is given code in chapter 08 (exact messages, not a step)",
  },
  {
    file: "test/08-replication.unit.test.ts",
    test: "08 chapter > the Scale of an RC (given) > shows spec.replicas, status.replicas and the selector as a string",
    reason: "scaleOf() is given code in chapter 08 (a conversion, not a step)",
  },
  {
    file: "test/08-replication.unit.test.ts",
    test: "08 chapter > the rolling update's plan (given) > brings one new pod up before taking one old pod down, until only new ones are left",
    reason: "the client-side rolling update is given code in chapter 08; chapter 13 moves it to the server",
  },
  {
    file: "test/10-services.unit.test.ts",
    test: "10 chapter > the Service resource (given code) > fills in the type, the protocol and the target port",
    reason:
      "The Service's defaulting and validation are given code since step 10.1 became given (they copy Kubernetes' rules; no decision for the learner).",
  },
  {
    file: "test/10-services.unit.test.ts",
    test: "10 chapter > the Service resource (given code) > accepts the example Service and reports every mistake of a bad one",
    reason:
      "The Service's defaulting and validation are given code since step 10.1 became given (they copy Kubernetes' rules; no decision for the learner).",
  },
  {
    file: "test/10-services.unit.test.ts",
    test: "10.2 what the proxy serves > puts cluster IPs on the bridge with `ip addr`, and takes them off without minding one already gone",
    reason:
      "The `ip addr` commands and BridgeAddresses are given code (shell strings, not a mechanism); step 10.2 is the proxy's sync.",
  },
  {
    file: "test/10-services.test.ts",
    test: "10.2 on Docker > puts addresses on a bridge through a short-lived container and takes every one off on close",
    reason:
      "The `ip addr` commands and BridgeAddresses are given code (shell strings, not a mechanism); step 10.2 is the proxy's sync.",
  },
  {
    file: "test/13-lifecycle.unit.test.ts",
    test: "13 chapter > lifecycle hooks > runs postStart after the container starts, and preStop before the stop signal, within the grace period",
    reason:
      "lifecycle hooks are given code in chapter 13 (kubelet/lifecycle-hooks.ts); the learner's steps are the deployment controller",
  },
  {
    file: "test/13-lifecycle.unit.test.ts",
    test: "13 chapter > lifecycle hooks > reports a failed preStop as a FailedPreStopHook event and stops the container anyway",
    reason:
      "lifecycle hooks are given code in chapter 13 (kubelet/lifecycle-hooks.ts); the learner's steps are the deployment controller",
  },
  {
    file: "test/13-lifecycle.unit.test.ts",
    test: "13 chapter > lifecycle hooks > kills a container whose postStart fails, with a FailedPostStartHook event",
    reason:
      "lifecycle hooks are given code in chapter 13 (kubelet/lifecycle-hooks.ts); the learner's steps are the deployment controller",
  },
  {
    file: "test/13-lifecycle.unit.test.ts",
    test: "13 chapter > lifecycle hooks > runs no hook for a container without one, or with a grace period of 0",
    reason:
      "lifecycle hooks are given code in chapter 13 (kubelet/lifecycle-hooks.ts); the learner's steps are the deployment controller",
  },
  {
    file: "test/16-etcd-cluster.test.ts",
    test: "16 chapter > one etcd member of three stopped while 16 clients write: every acknowledged write is readable afterwards",
    reason:
      "the etcd cluster and the store client that fails over are given code in chapter 16 (shared/); the learner writes the election",
  },
  {
    file: "test/16-etcd-cluster.test.ts",
    test: "16 chapter > two of three etcd members down: writes answer 503 'no quorum'; they work again when one returns",
    reason: "the store's Unavailable error and the apiserver's 503 are given code (shared/, chapter 03)",
  },
  {
    file: "test/16-etcd-cluster.test.ts",
    test: "16 chapter > two apiservers on one etcd cluster: a watch on one sees a write through the other",
    reason: "two apiservers over one etcd cluster use only given code (shared/etcd-cluster.ts, chapter 03)",
  },
  {
    file: "test/17-simulation.unit.test.ts",
    test: "17 chapter > the checker (given) > accepts concurrent operations in either order",
    reason:
      "the linearizability checker (sim/linearizability.ts) is given code in chapter 17: these tests show it can tell a good history from a bad one",
  },
  {
    file: "test/17-simulation.unit.test.ts",
    test: "17 chapter > the checker (given) > refuses a read of a value overwritten before the read began",
    reason:
      "the linearizability checker (sim/linearizability.ts) is given code in chapter 17: these tests show it can tell a good history from a bad one",
  },
  {
    file: "test/17-simulation.unit.test.ts",
    test: "17 chapter > the checker (given) > a write with no answer may have happened, or not",
    reason:
      "the linearizability checker (sim/linearizability.ts) is given code in chapter 17: these tests show it can tell a good history from a bad one",
  },
  {
    file: "test/17-replicas.unit.test.ts",
    test: "17 chapter > temp folders (given) > a crashed run's replica folders are swept, a live run's are kept",
    reason: "the sweep of replica folders (server/cluster.ts) is given code in chapter 17",
  },
  {
    file: "test/12-metrics.unit.test.ts",
    test: "12 chapter > metrics (given) > CPU is the counter's growth over the window; memory is usage minus inactive file cache (cgroup v1 and v2)",
    reason: "the metrics server (metrics/) is given code in chapter 12, not a step",
  },
  {
    file: "test/13-disruption.unit.test.ts",
    test: "13 chapter > disruption budgets (given) > counts expected, desired, healthy and allowed for counts and percentages (rounded up), and fails safe",
    reason: "the disruption budget arithmetic (disruption/budget.ts) is given code in chapter 13, not a step",
  },
  {
    file: "test/13-disruption.unit.test.ts",
    test: "13 chapter > disruption budgets (given) > an eviction takes one allowed disruption and notes the pod; none left or a stale status is 429",
    reason: "the eviction subresource (apiserver/eviction.ts) is given code in chapter 13, not a step",
  },
  {
    file: "test/12-metrics.test.ts",
    test: "12 chapter > metrics > deleting a namespace still deletes its pods gracefully (the metrics pods resource is not in the store)",
    reason:
      "a regression test of given code: chapter 03's namespace cleaner next to chapter 12's metrics resources, which share a store prefix with pods",
  },
  {
    file: "test/03-managed-fields.unit.test.ts",
    test: "03 chapter > managedFields of a create > the tree built from the object is the tree of its field set, for Update (nodes) and Apply sets",
    reason:
      "managedFields (fieldmanager/) are given code in chapter 03; the test guards the create's fast path against the general one",
  },
  {
    file: "test/03-managed-fields.unit.test.ts",
    test: "03 chapter > managedFields of a create > a create's entry: one Update by the manager, owning everything but status and server metadata",
    reason: "managedFields (fieldmanager/) are given code in chapter 03",
  },
  {
    file: "test/03-body.unit.test.ts",
    test: "03 chapter > bodies > a field named __proto__ is a 400, also when spelled with \\u escapes or deep in the body",
    reason: "reading request bodies (http/body.ts) is given code in chapter 03",
  },
];
