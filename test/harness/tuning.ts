/**
 * Timings that make a test cluster react in a fraction of a second instead of
 * Kubernetes' defaults (10 s heartbeats, 40 s node grace, 5 min eviction), so
 * that tests wait on conditions for seconds, not minutes.
 */
export const FAST_KUBELET = { heartbeatIntervalMs: 300, relistIntervalMs: 300, backOff: { initialMs: 300, maxMs: 1_200 } };

/** A node is Unknown 3 s after its last heartbeat, and its pods are evicted 1 s later. */
export const FAST_NODE_LIFECYCLE = { nodeMonitorPeriodMs: 300, nodeMonitorGracePeriodMs: 3_000, podEvictionTimeoutMs: 1_000 };

/**
 * The deadline of a wait for a cluster condition that holds within seconds
 * when the machine is idle (a new leader, every pod bound). It is wide, so
 * that a loaded 2-core machine still makes it. It is a deadline, not a
 * timing assertion: a test that must bound a time asserts it separately.
 */
export const CLUSTER_WAIT_MS = 60_000;
