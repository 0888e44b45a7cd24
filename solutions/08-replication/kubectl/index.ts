/**
 * Chapter 08 in the chapter 04 kubectl: the rc resource (name, short name,
 * describer) and the commands scale and rolling-update. Importing this file
 * registers them (workshop/kubectl.ts imports it).
 */
import { registerFlag } from "../../04-kubectl/kubectl/args.ts";
import { registerDescriber } from "../../04-kubectl/kubectl/describe.ts";
import { registerCommand } from "../../04-kubectl/kubectl/main.ts";
import { registerResource } from "../../04-kubectl/kubectl/resources.ts";
import { REPLICATION_CONTROLLERS } from "../client/resources.ts";
import { describeReplicationController } from "./describe-rc.ts";
import { rollingUpdateCommand } from "./rolling-update.ts";
import { scale } from "./scale.ts";

registerResource({ ...REPLICATION_CONTROLLERS, singular: "replicationcontroller", shortNames: ["rc"] });
registerDescriber("ReplicationController", describeReplicationController);

for (const long of ["replicas", "current-replicas", "image", "container", "update-period", "timeout"]) registerFlag({ long, kind: "string" });

registerCommand("scale", {
  summary: "Set the number of replicas of a replication controller",
  usage: "scale rc NAME... | rc/NAME... | -f FILE --replicas=COUNT [--current-replicas=COUNT]",
  run: scale,
});
registerCommand("rolling-update", {
  summary: "Replace an RC's pods by a new template's, one at a time",
  usage: "rolling-update OLD NEW --image=IMAGE [--container=NAME] | OLD -f NEW.yaml [--update-period=1s] [--timeout=5m]",
  run: rollingUpdateCommand,
});
