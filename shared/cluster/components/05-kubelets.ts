/**
 * Chapter 05: the kubelets, node-1 ... node-N, all on one Docker engine (or
 * on FakeRuntime hollow nodes), each labelling its containers with its node
 * name; the cluster's own Docker network; and pods/log, exec, attach and
 * portforward on the apiserver.
 * Every kubelet gets what the earlier components' prepare() collected in
 * ctx.kubeletExtensions (chapters 06, 07, 10, 11, 12), merged by chapter 05.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { connectDocker } from "../../docker.ts";
import { FakeRuntime } from "../../runtime/fake-runtime.ts";
import { dockerStreams, type StreamingRuntime } from "../../runtime/streams.ts";
import { oneLeaveAtATime } from "../../runtime/one-leave-at-a-time.ts";
import type { ContainerRuntime } from "../../runtime/types.ts";
import { createClusterNetwork } from "../network.ts";
import type { KubeletHandle, PodsModule, RuntimeModule } from "../contracts.ts";
import type { ClusterComponent } from "../types.ts";

export const kubeletsComponent: ClusterComponent = {
  chapter: "05",
  name: "kubelets",
  after: {
    apiserver: "a kubelet registers its Node there",
    "secrets and access control": "a kubelet sends its token from its first request",
    selectors: "a kubelet watches its pods with a field selector once chapter 07 serves them",
  },
  async prepare(ctx) {
    if (ctx.options.runtime === "fake") return;
    // Docker takes most of a second to make the network (network.ts: two
    // creates and a removal), and needs none of the cluster for it: begun
    // here, it is made while the store and the apiserver start. start()
    // waits for it; close() waits for it too, so that a bring-up that fails
    // before start() still finds the network and removes it.
    const network = createClusterNetwork(connectDocker(), ctx.id, ctx.labels);
    const settled = network.then(
      () => {},
      () => {}, // start() reports the error
    );
    ctx.pendingNetwork = network;
    ctx.onClose(() => settled);
  },
  async start(ctx) {
    if (!ctx.apiserver || !ctx.url) throw new Error("the kubelets need the apiserver of chapter 03");
    const pods = await ctx.load<PodsModule>("05-pods/index.ts");
    // The kubelets' servers answer only the apiserver: a secret of this cluster, never written to disk.
    const kubeletToken = randomBytes(32).toString("hex");
    pods.installPodLogs(ctx.apiserver, { kubeletToken });
    pods.installPodStreams(ctx.apiserver, { kubeletToken });

    const fake = ctx.options.runtime === "fake";
    let shared: ContainerRuntime | undefined;
    let streams: StreamingRuntime | undefined;
    if (!fake) {
      const { DockerRuntime } = await ctx.load<RuntimeModule>("01-containers/docker-runtime.ts");
      const docker = connectDocker();
      // Pause containers leave the cluster network one at a time: Docker 20.10
      // loses count of its endpoints otherwise (one-leave-at-a-time.ts).
      shared = oneLeaveAtATime(new DockerRuntime(docker));
      streams = dockerStreams(docker);
      ctx.network = await (ctx.pendingNetwork ?? createClusterNetwork(docker, ctx.id, ctx.labels));
      ctx.log(`network: ${ctx.network}`);
    }
    const url = ctx.url;
    const extensions = pods.mergeKubeletExtensions(ctx.kubeletExtensions);
    const start = (name: string): Promise<KubeletHandle> =>
      pods.startKubelet({
        ...ctx.options.kubelet,
        extensions,
        nodeName: name,
        server: url,
        token: ctx.token,
        runtime: ctx.runtimeWrappers.reduce(
          (runtime, wrap) => wrap(runtime, { server: url, token: ctx.token, log: ctx.log }),
          shared ?? new FakeRuntime({ name, images: ctx.options.fakeImages }),
        ),
        runtimeName: fake ? "fake" : "docker",
        streams,
        serverToken: kubeletToken,
        network: ctx.network,
        labels: ctx.labels,
        rootDir: join(ctx.tempDir, "nodes", name),
        log: ctx.log,
      });

    ctx.startNode = async (name) => {
      await ctx.stopNode!(name);
      const kubelet = await start(name);
      ctx.nodes.push(kubelet);
      ctx.nodes.sort((a, b) => a.nodeName.localeCompare(b.nodeName, undefined, { numeric: true }));
      return kubelet;
    };
    ctx.stopNode = async (name) => {
      const i = ctx.nodes.findIndex((k) => k.nodeName === name);
      if (i < 0) return;
      const [kubelet] = ctx.nodes.splice(i, 1);
      await kubelet!.stop();
    };
    // The kubelets start side by side: each one waits for the apiserver and
    // for Docker, never for another kubelet.
    const names = Array.from({ length: ctx.options.nodes ?? 1 }, (_, i) => `node-${i + 1}`);
    const started = await Promise.allSettled(names.map((name) => ctx.startNode!(name)));
    const failed = started.find((result) => result.status === "rejected");
    if (failed) {
      // This component has no stop registered yet: stop the kubelets that did start.
      await Promise.all(ctx.nodes.map((k) => k.stop().catch(() => {})));
      throw failed.reason;
    }
    for (const name of names) ctx.log(`kubelet: ${name} registered`); // in order, for npm start's output
    return async () => {
      await Promise.all(ctx.nodes.map((k) => k.stop()));
    };
  },
};
