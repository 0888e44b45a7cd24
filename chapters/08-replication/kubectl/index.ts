/**
 * Chapter 08's part of the chapter 04 kubectl, as a plugin
 * (04-kubectl/kubectl/plugin.ts): the rc resource (name, short name,
 * describer) and the commands scale and rolling-update with their flags.
 */
import type { KubectlPlugin } from "../../04-kubectl/kubectl/plugin.ts";
import { REPLICATION_CONTROLLERS } from "../client/resources.ts";
import { describeReplicationController } from "./describe-rc.ts";
import { rollingUpdateCommand } from "./rolling-update.ts";
import { scale } from "./scale.ts";

export const kubectlPlugin: KubectlPlugin = {
  resources: [{ ...REPLICATION_CONTROLLERS, singular: "replicationcontroller", shortNames: ["rc"] }],
  describers: { ReplicationController: describeReplicationController },
  flags: ["replicas", "current-replicas", "image", "container", "update-period", "timeout"].map((long) => ({
    long,
    kind: "string" as const,
  })),
  commands: {
    scale: {
      summary: "Set the number of replicas of a replication controller",
      usage: "scale rc NAME... | rc/NAME... | -f FILE --replicas=COUNT [--current-replicas=COUNT]",
      run: scale,
    },
    "rolling-update": {
      summary: "Replace an RC's pods by a new template's, one at a time",
      usage: "rolling-update OLD NEW --image=IMAGE [--container=NAME] | OLD -f NEW.yaml [--update-period=1s] [--timeout=5m]",
      run: rollingUpdateCommand,
    },
  },
};
