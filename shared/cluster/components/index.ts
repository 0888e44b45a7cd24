/**
 * The components of the cluster, in start order (they stop in reverse).
 * A chapter that adds a component writes one file here and adds it to this
 * list; its code is loaded from the tree (solutions/ or chapters/).
 */
import type { ClusterComponent } from "../types.ts";
import { storeComponent } from "./02-store.ts";
import { apiserverComponent } from "./03-apiserver.ts";
import { kubeletsComponent } from "./05-kubelets.ts";
import { naiveBinderComponent } from "./05-naive-binder.ts";
import { volumesComponent } from "./06-volumes.ts";
import { selectorsComponent } from "./07-selectors.ts";
import { servicesComponent } from "./10-services.ts";
import { controllerManagerComponent } from "./08-controller-manager.ts";
import { schedulerComponent } from "./09-scheduler.ts";
import { secretsComponent } from "./11-secrets.ts";
import { selfHealingComponent } from "./12-self-healing.ts";
import { deploymentsComponent } from "./13-deployments.ts";

export const COMPONENTS: readonly ClusterComponent[] = [
  storeComponent,
  apiserverComponent,
  secretsComponent, // right after the apiserver: tokens, roles and encryption before any client talks
  volumesComponent,
  selectorsComponent, // before the kubelets: they list pods with a field selector once it exists
  kubeletsComponent,
  servicesComponent, // after the kubelets (it needs their network), before the controller manager (endpoints controller)
  naiveBinderComponent,
  schedulerComponent, // replaces the naive binder
  selfHealingComponent, // before the controller manager: it registers the node lifecycle controller
  deploymentsComponent, // before the controller manager: it registers the replicaset and deployment controllers
  controllerManagerComponent,
];
