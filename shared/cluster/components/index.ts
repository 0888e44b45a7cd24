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
import { selectorsComponent } from "./07-selectors.ts";

export const COMPONENTS: readonly ClusterComponent[] = [
  storeComponent,
  apiserverComponent,
  selectorsComponent, // before the kubelets: they list pods with a field selector once it exists
  kubeletsComponent,
  naiveBinderComponent,
];
