/**
 * Chapter 13's part of the chapter 04 kubectl, as a plugin
 * (04-kubectl/kubectl/plugin.ts): the deployment and replicaset resources,
 * and the commands rollout, set image and scale (for apps kinds too).
 * All given code: the rollout itself is the controller's work.
 */
import type { KubectlPlugin } from "../../04-kubectl/kubectl/plugin.ts";
import { DEPLOYMENTS, REPLICA_SETS } from "../client/resources.ts";
import { rollout } from "./rollout.ts";
import { scale } from "./scale.ts";
import { setImage } from "./set-image.ts";

export { rolloutState } from "./rollout.ts";

export const kubectlPlugin: KubectlPlugin = {
  resources: [
    { ...DEPLOYMENTS, singular: "deployment", shortNames: ["deploy"] },
    { ...REPLICA_SETS, singular: "replicaset", shortNames: ["rs"] },
  ],
  flags: ["replicas", "current-replicas", "timeout", "revision", "to-revision"].map((long) => ({
    long,
    kind: "string" as const,
  })),
  commands: {
    rollout: {
      summary: "Watch, list, undo, pause or resume the rollout of a Deployment",
      usage: "rollout status|history|undo|pause|resume deployment/NAME [--timeout=90s] [--revision=N] [--to-revision=N]",
      run: rollout,
    },
    set: {
      summary: "Change the image of a Deployment's containers",
      usage: "set image deployment/NAME CONTAINER=IMAGE...",
      run: setImage,
    },
    scale: {
      summary: "Set the number of replicas of a deployment, replica set or replication controller",
      usage: "scale deployment|rs|rc NAME... | TYPE/NAME... --replicas=COUNT",
      run: scale,
    },
  },
};
