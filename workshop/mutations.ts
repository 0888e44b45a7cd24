/**
 * Wrong implementations a learner is likely to write, as data. `npm run
 * mutate NN` applies each one to a scratch copy of solutions/ and runs the
 * chapter's tests there: a good suite fails ("kills") every one of them, and
 * the first failing step it names is the step the mistake is in.
 *
 * A mutation replaces one exact text (`find`, which must occur once in the
 * file) with `replace`. Keep `find` to code lines, not comments, so that a
 * reworded comment does not break it. docs/maintainers.md lists them per
 * chapter, in words.
 */
export interface Mutation {
  /** The step whose code is wrong, and whose tests must fail first ("02.4"). */
  step: string;
  /** What the learner got wrong, in a few words. */
  mistake: string;
  /** Path under solutions/. */
  file: string;
  find: string;
  replace: string;
}

export const MUTATIONS: readonly Mutation[] = [
  // Chapter 02: the store
  {
    step: "02.2",
    mistake: "update forgets prevKv in its event",
    file: "02-etcd/mvcc.ts",
    find: 'return this.commit({ type: "PUT", kv, prevKv: prev });',
    replace: 'return this.commit({ type: "PUT", kv });',
  },
  {
    step: "02.2",
    mistake: "update ignores the expected modRevision (no compare-and-swap)",
    file: "02-etcd/mvcc.ts",
    find: "const prev = this.mustExist(key, expectedModRevision);\n    const revision = this.revision + 1;\n    const kv: KeyValue = { ...prev",
    replace: "const prev = this.mustExist(key);\n    const revision = this.revision + 1;\n    const kv: KeyValue = { ...prev",
  },
  {
    step: "02.3",
    mistake: "range sorts with localeCompare instead of by bytes",
    file: "02-etcd/mvcc.ts",
    find: "found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));",
    replace: "found.sort((a, b) => a.key.localeCompare(b.key));",
  },
  {
    step: "02.4",
    mistake: "watch replay starts one revision late",
    file: "02-etcd/mvcc.ts",
    find: "const start = Math.max(fromRevision, this.firstKept()) - this.firstKept();",
    replace: "const start = Math.max(fromRevision + 1, this.firstKept()) - this.firstKept();",
  },
  {
    step: "02.4",
    mistake: "a watch drops the event at exactly its next revision (< written as <=)",
    file: "02-etcd/watch.ts",
    find: "if (event.kv.modRevision < this.next || !event.kv.key.startsWith(this.prefix)) continue;",
    replace: "if (event.kv.modRevision <= this.next || !event.kv.key.startsWith(this.prefix)) continue;",
  },
  {
    step: "02.5",
    mistake: "a watch from a compacted revision is accepted",
    file: "02-etcd/mvcc.ts",
    find: "if (fromRevision < this.compactRevision) {",
    replace: "if (fromRevision < this.compactRevision && false) {",
  },
  {
    step: "02.5",
    mistake: "compacting again at the same revision is accepted",
    file: "02-etcd/mvcc.ts",
    find: "if (revision <= this.compactRevision) {",
    replace: "if (revision < this.compactRevision) {",
  },
  {
    step: "02.6",
    mistake: "write acknowledges before the log append is durable (no await)",
    file: "02-etcd/store.ts",
    find: 'await this.track(log.append({ type: "event", event }));',
    replace: 'this.track(log.append({ type: "event", event })).catch(() => {});',
  },
  {
    step: "02.6",
    mistake: "the log resolves appends before fsync",
    file: "02-etcd/wal.ts",
    find: "          await this.file.datasync();",
    replace: "          for (const p of batch) p.resolve();\n          await this.file.datasync();",
  },
  {
    step: "02.6",
    mistake: "one fsync per record (no group commit)",
    file: "02-etcd/wal.ts",
    find: "const batch = this.pending;\n        this.pending = [];",
    replace: "const batch = this.pending.splice(0, 1);",
  },
  {
    step: "02.7",
    mistake: "a torn record at the end of the last segment is fatal",
    file: "02-etcd/index.ts",
    find: "if (!isLast) throw new Error(",
    replace: "throw new Error(",
  },
  {
    step: "02.8",
    mistake: "old log segments removed before the snapshot is on disk",
    file: "02-etcd/store.ts",
    find: "await writeSnapshot(dir, state);\n    await log.removeSegmentsBefore(firstNewSegment);",
    replace: "await log.removeSegmentsBefore(firstNewSegment);\n    await writeSnapshot(dir, state);",
  },

  // Chapter 07: labels and selectors
  {
    step: "07.1",
    mistake: 'the lexer checks = before == ("a==b" becomes = = )',
    file: "07-labels/labels/lexer.ts",
    find: '} else if ((ch === "=" || ch === "!") && selector[i + 1] === "=") {',
    replace: '} else if (ch === "!" && selector[i + 1] === "=") {',
  },
  {
    step: "07.1",
    mistake: "an identifier records where it ends, not where it starts",
    file: "07-labels/labels/lexer.ts",
    find: 'tokens.push({ kind: "identifier", text: selector.slice(start, i), position: start });',
    replace: 'tokens.push({ kind: "identifier", text: selector.slice(start, i), position: i });',
  },
  {
    step: "07.2",
    mistake: 'the parser ignores what follows a requirement ("app=web db" accepted)',
    file: "07-labels/labels/selector.ts",
    find: 'if (token.kind !== ",") this.fail(token, `"," or the end of the selector`);',
    replace: 'if (token.kind !== ",") return requirements;',
  },
  {
    step: "07.2",
    mistake: '"!key" parsed as Exists',
    file: "07-labels/labels/selector.ts",
    find: 'return { key: this.parseKey(), operator: "DoesNotExist", values: [] };',
    replace: 'return { key: this.parseKey(), operator: "Exists", values: [] };',
  },
  {
    step: "07.3",
    mistake: "notin requires the key to be present",
    file: "07-labels/labels/selector.ts",
    find: "return !has || !requirement.values.includes(value!);",
    replace: "return has && !requirement.values.includes(value!);",
  },
  {
    step: "07.4",
    mistake: "a field selector keeps the backslash of an escape",
    file: "07-labels/labels/field-selector.ts",
    find: "      text += escaped;",
    replace: "      text += ch + escaped;",
  },
  {
    step: "07.4",
    mistake: "!= read as =",
    file: "07-labels/labels/field-selector.ts",
    find: 'operator = ch === "!" ? "NotEquals" : "Equals";',
    replace: 'operator = "Equals";',
  },
  {
    step: "07.5",
    mistake: 'an object without labels never matches (even "!app")',
    file: "07-labels/apiserver/selector-filters.ts",
    find: "return (obj) => selector.matches(obj.metadata?.labels);",
    replace: "return (obj) => obj.metadata?.labels !== undefined && selector.matches(obj.metadata.labels);",
  },
  {
    step: "07.5",
    mistake: "an unsupported field in a field selector is ignored, not a 400",
    file: "07-labels/apiserver/selector-filters.ts",
    find: "if (!Object.hasOwn(fields, r.field)) {",
    replace: "if (!Object.hasOwn(fields, r.field) && false) {",
  },
  {
    step: "07.6",
    mistake: "label overwrites a value without --overwrite",
    file: "07-labels/kubectl/metadata-changes.ts",
    find: "refused.push(`'${key}' already has a value (${map[key]})`);",
    replace: "patch[key] = value;",
  },

  // Chapter 03: the apiserver
  {
    step: "03.7",
    mistake: "an object leaving a watch's selection is not sent as DELETED",
    file: "03-apiserver/watch/events.ts",
    find: 'if (wasIn) return { type: "DELETED", object: after };',
    replace: "",
  },

  // Chapter 09: the scheduler
  {
    step: "09.1",
    mistake: "init containers' requests summed instead of the max",
    file: "09-scheduler/framework/requests.ts",
    find: "total[name] = Math.max(total[name] ?? 0, v);",
    replace: "total[name] = (total[name] ?? 0) + v;",
  },
  {
    step: "09.2",
    mistake: "node affinity terms ANDed instead of ORed",
    file: "09-scheduler/plugins/node-affinity.ts",
    find: "return (required.nodeSelectorTerms ?? []).some((term) => {",
    replace: "return (required.nodeSelectorTerms ?? []).every((term) => {",
  },
  {
    step: "09.3",
    mistake: "a PreferNoSchedule taint blocks the pod",
    file: "09-scheduler/plugins/taint-toleration.ts",
    find: 'taints.find((taint) => taint.effect !== "PreferNoSchedule" && !tolerations',
    replace: "taints.find((taint) => !tolerations",
  },
  {
    step: "09.6",
    mistake: "spread scores not normalised (raw peer counts)",
    file: "09-scheduler/plugins/selector-spread.ts",
    find: "for (const s of scores) s.score = max === 0 ? MAX_NODE_SCORE : Math.floor((MAX_NODE_SCORE * (max - s.score)) / max);",
    replace: "for (const s of scores) s.score = Math.min(s.score, MAX_NODE_SCORE);",
  },
  {
    step: "09.8",
    mistake: "ties always go to the first node",
    file: "09-scheduler/schedule-one.ts",
    find: "if (random() * ties < 1) best = candidate;",
    replace: "",
  },
  {
    step: "09.9",
    mistake: "the pod is not assumed before binding (the next cycle overcommits)",
    file: "09-scheduler/scheduler.ts",
    find: "    cache.assumePod(assumed);\n",
    replace: "",
  },
  {
    step: "09.9",
    mistake: "an assumed pod whose binding failed is not forgotten",
    file: "09-scheduler/scheduler.ts",
    find: "      cache.forgetPod(assumed);\n",
    replace: "",
  },
  {
    step: "09.11",
    mistake: "unschedulable pods never moved back after a cluster change",
    file: "09-scheduler/queue/scheduling-queue.ts",
    find: "for (const info of this.unschedulablePods.values()) this.requeue(info);\n    this.unschedulablePods.clear();",
    replace: "",
  },

  // Chapter 08: replication
  {
    step: "08.1",
    mistake: "a matching pod owned by another controller is adopted",
    file: "08-replication/replication/owner-references.ts",
    find: "if (ref.uid !== uid) continue;",
    replace: "if (ref.uid !== uid) {\n        if (matches) claims.adopt.push(pod);\n        continue;\n      }",
  },
  {
    step: "08.2",
    mistake: "the oldest pods are deleted first (Ready ones before pending ones)",
    file: "08-replication/replication/reconcile.ts",
    find: "  const onNode = (p: Pod) => (p.spec?.nodeName ? 1 : 0);\n",
    replace:
      '  const age = (p: Pod) => Date.parse(p.metadata?.creationTimestamp ?? "") || 0;\n  if (age(a) !== age(b)) return age(a) - age(b);\n  const onNode = (p: Pod) => (p.spec?.nodeName ? 1 : 0);\n',
  },
  {
    step: "08.3",
    mistake: "creations not expected before the POSTs (overshoot while the cache lags)",
    file: "08-replication/replication/replication-controller.ts",
    find: "      this.expectations.expectCreations(key, action.count);\n",
    replace: "",
  },
  {
    step: "08.3",
    mistake: "a failed creation is still waited for",
    file: "08-replication/replication/replication-controller.ts",
    find: "for (let i = succeeded; i < action.count; i++) this.expectations.creationObserved(key);",
    replace: "",
  },
  {
    step: "08.3",
    mistake: "expectations never expire (an event that never comes blocks the RC)",
    file: "08-replication/controller-manager/expectations.ts",
    find: "return this.now() - record.setAt > this.ttlMs;",
    replace: "return false;",
  },
  {
    step: "08.4",
    mistake: "ready counted from phase Running instead of the Ready condition",
    file: "08-replication/replication/status.ts",
    find: "const ready = pods.filter(isPodReady);",
    replace: 'const ready = pods.filter((p) => p.status?.phase === "Running");',
  },
  {
    step: "08.5",
    mistake: "the scale subresource ignores a stale resourceVersion",
    file: "08-replication/apiserver/scale.ts",
    find: "if (wanted.resourceVersion && wanted.resourceVersion !== rc.metadata?.resourceVersion) {",
    replace: "if (false) {",
  },
  {
    step: "08.6",
    mistake: "the garbage collector deletes a dependent that still has a live owner",
    file: "08-replication/garbage-collector/garbage-collector.ts",
    find: 'if (gone.length === refs.length) return { kind: "delete" };',
    replace: 'if (gone.length > 0) return { kind: "delete" };',
  },

  // Chapter 12: self-healing
  {
    step: "12.1",
    mistake: "an exec probe's timeout is ignored",
    file: "12-self-healing/probes/prober.ts",
    find: "const run = await withTimeout(probe, target.runtime.exec(target.containerId, command), `command ${JSON.stringify(command)}`);",
    replace: "const run = await target.runtime.exec(target.containerId, command);",
  },
  {
    step: "12.1",
    mistake: "an HTTP 4xx counted as a success",
    file: "12-self-healing/probes/prober.ts",
    find: "if (status >= 200 && status < 400)",
    replace: "if (status >= 200 && status < 500)",
  },
  {
    step: "12.2",
    mistake: "threshold counting not reset by the other outcome",
    file: "12-self-healing/probes/worker.ts",
    find: "      this.run = 1;\n",
    replace: "      this.run++;\n",
  },
  {
    step: "12.3",
    mistake: "a liveness failure does not restart the container",
    file: "12-self-healing/probes/probe-manager.ts",
    find: "this.host.runtime\n        .stop(instance.id, grace)",
    replace: "Promise.resolve()",
  },
  {
    step: "12.4",
    mistake: "a container without a readiness probe is never Ready",
    file: "12-self-healing/probes/probe-manager.ts",
    find: "if (!spec?.readinessProbe) return true;",
    replace: "if (!spec?.readinessProbe) return false;",
  },
  {
    step: "12.5",
    mistake: "the heartbeat's own time used instead of when it was seen",
    file: "12-self-healing/node-lifecycle/health.ts",
    find: "return now - record.probedAt > gracePeriodMs;",
    replace: 'return now - Date.parse(heartbeat ?? "") > gracePeriodMs;',
  },
  {
    step: "12.6",
    mistake: "the user's taints removed with ours",
    file: "12-self-healing/node-lifecycle/taints.ts",
    find: "const others = (existing ?? []).filter((t) => !ours(t));",
    replace: "const others: Taint[] = [];",
  },
  {
    step: "12.7",
    mistake: "eviction ignores tolerationSeconds (tolerated forever)",
    file: "12-self-healing/node-lifecycle/eviction.ts",
    find: "after = Math.max(0, toleration.tolerationSeconds) * 1000;",
    replace: "continue;",
  },
  {
    step: "12.8",
    mistake: "an older duplicate of a container is kept after a kubelet restart",
    file: "12-self-healing/restart/adoption.ts",
    find: "if (older) plan.remove.push(older.id);",
    replace: "",
  },

  // Chapter 04: the client and kubectl
  {
    step: "04.1",
    mistake: "a non-2xx answer returned as if it succeeded (no ApiError)",
    file: "04-kubectl/client/rest.ts",
    find: "    if (res.ok) return res;\n    throw new ApiError(await readStatus(res));",
    replace: "    return res;",
  },
  {
    step: "04.2",
    mistake: "each chunk decoded on its own (a UTF-8 character cut across chunks breaks)",
    file: "04-kubectl/client/watch.ts",
    find: "buffered += decoder.decode(chunk, { stream: true });",
    replace: "buffered += new TextDecoder().decode(chunk);",
  },
  {
    step: "04.3",
    mistake: "a reconnect resumes from the list's resourceVersion, not the last event's",
    file: "04-kubectl/client/watch.ts",
    find: "      if (version) this.resourceVersion = version;\n",
    replace: "",
  },
  {
    step: "04.4",
    mistake: "a DELETED event does not remove the object from the cache",
    file: "04-kubectl/client/informer.ts",
    find: "      this.cache.delete(key);\n      this.call(this.deleteHandlers, old ?? object);",
    replace: "      this.call(this.deleteHandlers, old ?? object);",
  },
  {
    step: "04.5",
    mistake: "after a relist, objects that are gone stay in the cache",
    file: "04-kubectl/client/informer.ts",
    find: "      if (!fresh.has(key)) {\n        this.cache.delete(key);\n        this.call(this.deleteHandlers, old);\n      }",
    replace: "",
  },
  {
    step: "04.7",
    mistake: "a field removed from the manifest is not removed from the live object",
    file: "04-kubectl/kubectl/merge-patch.ts",
    find: "if (!(key in modified) && key in current) patch[key] = null;",
    replace: "",
  },
  {
    step: "04.9",
    mistake: "the kubeconfig is world-readable",
    file: "04-kubectl/kubectl/kubeconfig.ts",
    find: "  await writeFile(path, stringify(kubeconfigDocument(settings)), { mode: 0o600 });\n  await chmod(path, 0o600);",
    replace: "  await writeFile(path, stringify(kubeconfigDocument(settings)), { mode: 0o644 });\n  await chmod(path, 0o644);",
  },

  // Chapter 10: services
  {
    step: "10.1",
    mistake: "release frees a value another Service now holds",
    file: "10-services/apiserver/range-allocator.ts",
    find: "if (holder.namespace !== owner.namespace || holder.name !== owner.name) return;",
    replace: "",
  },
  {
    step: "10.1",
    mistake: "a Service that was not stored keeps its IP (never given back)",
    file: "10-services/apiserver/allocation.ts",
    find: "if (!stored) await giveBack();",
    replace: "",
  },
  {
    step: "10.2",
    mistake: "the proxy also sends to not-ready endpoints",
    file: "10-services/proxy/service-ports.ts",
    find: "for (const address of subset.addresses ?? [])",
    replace: "for (const address of [...(subset.addresses ?? []), ...(subset.notReadyAddresses ?? [])])",
  },
  {
    step: "10.3",
    mistake: "not-ready pods listed among the ready addresses",
    file: "10-services/endpoints/subsets.ts",
    find: "(isPodReady(pod) ? group.ready : group.notReady).push(addressOf(pod));",
    replace: "group.ready.push(addressOf(pod));",
  },
  {
    step: "10.3",
    mistake: "a pod being deleted stays in the Endpoints",
    file: "10-services/endpoints/subsets.ts",
    find: " || pod.metadata?.deletionTimestamp) continue;",
    replace: ") continue;",
  },
  {
    step: "10.4",
    mistake: "round robin restarts at the first endpoint on every update",
    file: "10-services/proxy/round-robin.ts",
    find: '    if (next.map(endpointKey).join(",") === this.endpoints.map(endpointKey).join(",")) return;\n',
    replace: "",
  },
  {
    step: "10.5",
    mistake: "no retry when an endpoint refuses the connection",
    file: "10-services/proxy/port-proxy.ts",
    find: "const attempts = this.options.balancer.list().length;",
    replace: "const attempts = 1;",
  },
  {
    step: "10.6",
    mistake: 'variable names keep "-" (not turned into "_")',
    file: "10-services/kubelet/service-env.ts",
    find: 'const name = envPrefix(service.metadata?.name ?? "");',
    replace: 'const name = (service.metadata?.name ?? "").toUpperCase();',
  },

  // Chapter 01: containers
  {
    step: "01.2",
    mistake: "command and args swapped (command must replace the entrypoint)",
    file: "01-containers/container-config.ts",
    find: "Entrypoint: spec.command,\n    Cmd: spec.args,",
    replace: "Entrypoint: spec.args,\n    Cmd: spec.command,",
  },
  {
    step: "01.2",
    mistake: "memory limit given in MiB instead of bytes",
    file: "01-containers/container-config.ts",
    find: "      Memory: memory,\n      MemorySwap: memory,",
    replace:
      "      Memory: memory === undefined ? undefined : Math.ceil(memory / 1048576),\n      MemorySwap: memory === undefined ? undefined : Math.ceil(memory / 1048576),",
  },
  {
    step: "01.3",
    mistake: "a 304 from start (already running) treated as an error",
    file: "01-containers/docker-runtime.ts",
    find: "await this.docker.getContainer(id).start();\n    } catch (err) {\n      if (statusOf(err) === 304) return;\n",
    replace: "await this.docker.getContainer(id).start();\n    } catch (err) {\n",
  },
  {
    step: "01.4",
    mistake: "stop without the grace period (t)",
    file: "01-containers/docker-runtime.ts",
    find: "await this.docker.getContainer(id).stop({ t });",
    replace: "await this.docker.getContainer(id).stop();",
  },
  {
    step: "01.5",
    mistake: 'listed names keep Docker\'s leading "/"',
    file: "01-containers/status.ts",
    find: 'name: (info.Names[0] ?? "").replace(/^\\//, ""),',
    replace: 'name: info.Names[0] ?? "",',
  },
  {
    step: "01.5",
    mistake: '"paused" and "restarting" mapped to exited',
    file: "01-containers/status.ts",
    find: '    case "running":\n    case "paused":\n    case "restarting":\n      return "running";\n    case "removing":',
    replace: '    case "running":\n      return "running";\n    case "paused":\n    case "restarting":\n    case "removing":',
  },
  {
    step: "01.6",
    mistake: "a frame's payload size read little-endian",
    file: "01-containers/demux.ts",
    find: "buffer.readUInt32BE(at + 4)",
    replace: "buffer.readUInt32LE(at + 4)",
  },
  {
    step: "01.6",
    mistake: "each frame decoded on its own (a UTF-8 character split across frames breaks)",
    file: "01-containers/demux.ts",
    find: "const text = decoders[stream].write(buffer.subarray(start, end));",
    replace: 'const text = buffer.subarray(start, end).toString("utf8");',
  },

  // Chapter 05: pods
  {
    step: "05.1",
    mistake: "the Node is registered without its status (no capacity, no Ready)",
    file: "05-pods/kubelet/node-status.ts",
    find: "return nodes.updateStatus({ ...node, status: nodeStatus(facts, node.status) });",
    replace: "return node;",
  },
  {
    step: "05.3",
    mistake: "the app container does not join the pause container's namespaces",
    file: "05-pods/kubelet/containers.ts",
    find: "    networkMode: join,\n    ipcMode: join,",
    replace: "    networkMode: undefined,\n    ipcMode: undefined,",
  },
  {
    step: "05.5",
    mistake: "restartCount read from the previous instance, not the newest",
    file: "05-pods/kubelet/status.ts",
    find: "restartCount: current ? restartCountOf(current) : 0,",
    replace: "restartCount: previous ? restartCountOf(previous) : 0,",
  },
  {
    step: "05.6",
    mistake: "OnFailure restarts a container that exited with 0",
    file: "05-pods/kubelet/restart-policy.ts",
    find: "return exitCode !== 0;",
    replace: "return true;",
  },
  {
    step: "05.6",
    mistake: "the back-off never grows",
    file: "05-pods/kubelet/restart-policy.ts",
    find: "Math.min(entry.delayMs * 2, this.options.maxMs)",
    replace: "Math.min(entry.delayMs, this.options.maxMs)",
  },
  {
    step: "05.7",
    mistake: "the pod object is deleted before its containers are stopped",
    file: "05-pods/kubelet/kubelet.ts",
    find: "      await killPod(this.ctx, uid, pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30);\n      await this.deletePodNow(pod);",
    replace:
      "      await this.deletePodNow(pod);\n      await killPod(this.ctx, uid, pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30);",
  },
  {
    step: "05.8",
    mistake: "kubectl logs --tail ignored",
    file: "05-pods/kubelet/log-server.ts",
    find: "logText(await options.runtime.logs(found.id, tail === undefined ? {} : { tail }))",
    replace: "logText(await options.runtime.logs(found.id))",
  },

  // Chapter 06: volumes
  {
    step: "06.1",
    mistake: "the emptyDir folder is not made writable by any user",
    file: "06-volumes/plugins/empty-dir.ts",
    find: "  await chmod(ctx.dir, 0o777);\n",
    replace: "",
  },
  {
    step: "06.2",
    mistake: "a memory emptyDir ignores sizeLimit",
    file: "06-volumes/plugins/empty-dir.ts",
    find: 'return { type: "tmpfs", sizeBytes };',
    replace: 'return { type: "tmpfs" };',
  },
  {
    step: "06.3",
    mistake: 'prefix checked as a string prefix ("/data-evil" passes "/data")',
    file: "06-volumes/plugins/host-path-policy.ts",
    find: "if (!policy.allowedPrefixes.some((prefix) => isWithin(path, prefix))) {",
    replace: "if (!policy.allowedPrefixes.some((prefix) => path.startsWith(prefix))) {",
  },
  {
    step: "06.3",
    mistake: '".." in a hostPath accepted',
    file: "06-volumes/plugins/host-path-policy.ts",
    find: 'if (path.split(/[\\\\/]/).includes("..")) return',
    replace: "if (false) return",
  },
  {
    step: "06.4",
    mistake: "symbolic links not resolved (a link inside the prefix leads outside)",
    file: "06-volumes/plugins/host-path.ts",
    find: "if (!prefixes.some((prefix) => isWithin(real, prefix))) {",
    replace: "if (false) {",
  },
  {
    step: "06.4",
    mistake: "the hostPath type is not checked",
    file: "06-volumes/plugins/host-path.ts",
    find: "      await checkType(path, type as HostPathType, volume.name);\n",
    replace: "",
  },
  {
    step: "06.5",
    mistake: "the apiserver stores a pod that breaks the hostPath policy",
    file: "06-volumes/apiserver/host-path-admission.ts",
    find: "if (violation) throw forbidden(",
    replace: "if (violation && false) throw forbidden(",
  },

  // Chapter 11: secrets and access
  {
    step: "11.1",
    mistake: "an unknown bearer token is treated as anonymous, not 401",
    file: "11-secrets/auth/token-authenticator.ts",
    find: "if (!found) throw unauthorized();",
    replace: "if (!found) return undefined;",
  },
  {
    step: "11.2",
    mistake: "a ServiceAccount subject matched in any namespace",
    file: "11-secrets/auth/rbac-authorizer.ts",
    find: "return user.username === `system:serviceaccount:${subject.namespace || bindingNamespace}:${subject.name}`;",
    replace: 'return user.username.startsWith("system:serviceaccount:") && user.username.endsWith(`:${subject.name}`);',
  },
  {
    step: "11.2",
    mistake: "a rule's resourceNames ignored",
    file: "11-secrets/auth/rbac-authorizer.ts",
    find: 'if (rule.resourceNames?.length) return a.name !== "" && rule.resourceNames.includes(a.name);',
    replace: "",
  },
  {
    step: "11.3",
    mistake: "stringData kept on the object (returned on reads)",
    file: "11-secrets/apiserver/secrets.ts",
    find: "  delete secret.stringData;\n",
    replace: "",
  },
  {
    step: "11.4",
    mistake: "a fixed nonce for every encryption",
    file: "11-secrets/encryption/aesgcm.ts",
    find: "const nonce = randomBytes(NONCE_BYTES);",
    replace: "const nonce = Buffer.alloc(NONCE_BYTES);",
  },
  {
    step: "11.5",
    mistake: "a missing optional key treated as an error",
    file: "11-secrets/kubelet/value-from.ts",
    find: "  if (value === undefined) {\n    if (ref.optional) return undefined;\n",
    replace: "  if (value === undefined) {\n",
  },
  {
    step: "11.6",
    mistake: "envFrom keeps keys that are not valid variable names",
    file: "11-secrets/kubelet/env-from.ts",
    find: "if (ENV_NAME.test(name)) out[name]",
    replace: "out[name]",
  },
  {
    step: "11.7",
    mistake: "an item's own mode ignored",
    file: "11-secrets/kubelet/projection.ts",
    find: "files.set(path, { content, mode: item.mode ?? mode });",
    replace: "files.set(path, { content, mode });",
  },
  {
    step: "11.7",
    mistake: 'an item path with ".." accepted',
    file: "11-secrets/kubelet/projection.ts",
    find: 'if (item.path.startsWith("/") || path.split("/").includes("..")) {',
    replace: "if (false) {",
  },
  {
    step: "11.8",
    mistake: "describe prints the secret's values",
    file: "11-secrets/kubectl/describe-secret.ts",
    find: 'lines.push(`${key}:  ${Buffer.from(secret.data![key]!, "base64").length} bytes`);',
    replace: 'lines.push(`${key}:  ${Buffer.from(secret.data![key]!, "base64").toString("utf8")}`);',
  },

  // Chapter 13: deployments
  {
    step: "13.1",
    mistake: "a surge percentage rounded down",
    file: "13-deployments/deployment/rollout.ts",
    find: 'scaledValue(rolling?.maxSurge ?? "25%", replicas, true)',
    replace: 'scaledValue(rolling?.maxSurge ?? "25%", replicas, false)',
  },
  {
    step: "13.1",
    mistake: "surge 0 and unavailable 0 freeze the rollout",
    file: "13-deployments/deployment/rollout.ts",
    find: "if (maxSurge === 0 && maxUnavailable === 0) return { maxSurge: 0, maxUnavailable: 1 };",
    replace: "",
  },
  {
    step: "13.1",
    mistake: "scale up counts only the new ReplicaSet against the surge",
    file: "13-deployments/deployment/rollout.ts",
    find: "const total = all.reduce((n, s) => n + s.replicas, 0);\n  const maxTotal",
    replace: "const total = current.replicas;\n  const maxTotal",
  },
  {
    step: "13.2",
    mistake: "scale down ignores that the new ReplicaSet's unavailable pods may never come up",
    file: "13-deployments/deployment/rollout.ts",
    find: "const newUnavailable = Math.max(0, current.replicas - current.available);",
    replace: "const newUnavailable = 0;",
  },
  {
    step: "13.2",
    mistake: "scale down removes available pods before the unavailable ones",
    file: "13-deployments/deployment/rollout.ts",
    find: "const unhealthy = Math.max(0, s.replicas - s.available);",
    replace: "const unhealthy = 0;",
  },
  {
    step: "13.3",
    mistake: "the new ReplicaSet found with the pod-template-hash compared",
    file: "13-deployments/deployment/revisions.ts",
    find: ".find((rs) => deepEqual(withoutHash(rs.spec?.template), wanted));",
    replace: ".find((rs) => deepEqual(rs.spec?.template, d.spec?.template));",
  },
  {
    step: "13.3",
    mistake: "an undo does not remember the old revision",
    file: "13-deployments/deployment/revisions.ts",
    find: "if (current > 0) annotations[REVISION_HISTORY] =",
    replace: "if (current < 0) annotations[REVISION_HISTORY] =",
  },
  {
    step: "13.3",
    mistake: "history deletes old ReplicaSets that still run pods",
    file: "13-deployments/deployment/revisions.ts",
    find: "const idle = alive.filter((rs) => (rs.spec?.replicas ?? 0) === 0 && (rs.status?.replicas ?? 0) === 0);",
    replace: "const idle = alive;",
  },
  {
    step: "13.4",
    mistake: "Recreate starts new pods while old ones are still shutting down",
    file: "13-deployments/deployment/deployment-controller.ts",
    find: "if (running.length === 0 && !leftovers) await this.scale(newRS, replicas);",
    replace: "if (running.length === 0) await this.scale(newRS, replicas);",
  },
  {
    step: "13.5",
    mistake: "a paused Deployment still times out",
    file: "13-deployments/deployment/progress.ts",
    find: "  if (d.spec?.paused) {\n    conditions = setCondition(",
    replace: "  if (d.spec?.paused && false) {\n    conditions = setCondition(",
  },
  {
    step: "13.5",
    mistake: "the progress deadline never passes",
    file: "13-deployments/deployment/progress.ts",
    find: "if (now.getTime() - since > deadline) {",
    replace: "if (false) {",
  },
];
