/**
 * The components of the cluster, in start order (they stop in reverse).
 * This list is the one place that says the order; it is not the chapter
 * order. Each component says in `after` which components must run before
 * it, and why; test/shared/architecture.test.ts checks this list against
 * those needs. Values that one chapter gives another (kubelet extensions,
 * controllers) are collected by prepare(), which runs for every component
 * before any start(), so they never decide the order.
 *
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
import { controllerManagerComponent } from "./08-controller-manager.ts";
import { schedulerComponent } from "./09-scheduler.ts";
import { servicesComponent } from "./10-services.ts";
import { secretsComponent } from "./11-secrets.ts";
import { metricsComponent } from "./12-metrics.ts";
import { selfHealingComponent } from "./12-self-healing.ts";
import { deploymentsComponent } from "./13-deployments.ts";
import { tenancyComponent } from "./15-tenancy.ts";
import { discoveryComponent } from "./14-discovery.ts";
import { highAvailabilityComponent } from "./16-high-availability.ts";

export const COMPONENTS: readonly ClusterComponent[] = [
  storeComponent,
  apiserverComponent,
  secretsComponent, // chapter 11, but first after the apiserver: tokens, roles and encryption before any client talks
  volumesComponent,
  selectorsComponent, // before the kubelets: they watch their pods with a field selector once it is served
  kubeletsComponent,
  metricsComponent, // chapter 12, but right after the kubelets: it only measures their containers
  servicesComponent, // after the kubelets: the proxy needs their network
  naiveBinderComponent,
  highAvailabilityComponent, // chapter 16, before the scheduler and the controller manager: they campaign on its leases
  schedulerComponent, // retires the naive binder
  deploymentsComponent, // before the controller manager: its informers list replicasets and deployments
  tenancyComponent, // after the services (the Service kubernetes), before the controller manager (its informers list service accounts)
  controllerManagerComponent,
  selfHealingComponent, // only prepare(): probes for the kubelets, a controller for the controller manager
  discoveryComponent, // after the services: the DNS server needs a cluster IP for its own Service
];
