/**
 * Chapter 06: volumes.
 *
 *   plugins/empty-dir.ts          emptyDir: scratch space that lives as long as the pod (disk or Memory)
 *   plugins/host-path.ts          hostPath: a folder of the node, checked against the policy
 *   plugins/host-path-policy.ts   which host paths pods may mount (allowed prefixes)
 *   apiserver/host-path-admission.ts   the same policy at the apiserver: 403 at create
 *
 * The kubelet of chapter 05 knows no volume type: it asks its plugins
 * (KubeletExtensions.volumePlugins). This chapter gives it two, through
 * kubeletExtensions() below; chapter 11 adds secret and configMap the same
 * way. Adding a volume type is adding a plugin file and listing it in
 * volumePlugins() below.
 */
import type { ApiServer } from "../03-apiserver/index.ts";
import type { KubeletExtensions, VolumePlugin } from "../05-pods/index.ts";
import { HOST_PATH_ADMISSION, hostPathAdmission } from "./apiserver/host-path-admission.ts";
import { emptyDirPlugin } from "./plugins/empty-dir.ts";
import { hostPathPlugin } from "./plugins/host-path.ts";
import { DEFAULT_HOST_PATH_POLICY, type HostPathPolicy } from "./plugins/host-path-policy.ts";

export { emptyDirPlugin, EMPTY_DIR_PLUGIN_NAME } from "./plugins/empty-dir.ts";
export {
  checkType,
  hostPathPlugin,
  HOST_PATH_PLUGIN_NAME,
  HOST_PATH_TYPES,
  realPathOf,
  type HostPathType,
} from "./plugins/host-path.ts";
export {
  DEFAULT_HOST_PATH_POLICY,
  DEFAULT_HOST_PATH_PREFIX,
  hostPathViolation,
  isWithin,
  type HostPathPolicy,
} from "./plugins/host-path-policy.ts";
export { hostPathAdmission, HOST_PATH_ADMISSION } from "./apiserver/host-path-admission.ts";

/** The volume plugins of this chapter. */
export function volumePlugins(policy: HostPathPolicy = DEFAULT_HOST_PATH_POLICY): VolumePlugin[] {
  return [emptyDirPlugin, hostPathPlugin(policy)];
}

/** What this chapter adds to every kubelet: its volume plugins. */
export function kubeletExtensions(policy: HostPathPolicy = DEFAULT_HOST_PATH_POLICY): KubeletExtensions {
  return { volumePlugins: volumePlugins(policy) };
}

/**
 * Makes the apiserver refuse pods whose hostPath volumes are outside the
 * policy's prefixes. Calling it again for the same server does nothing.
 */
export function installVolumePolicy(apiserver: ApiServer, policy: HostPathPolicy = DEFAULT_HOST_PATH_POLICY): void {
  // The chain itself says whether the plugin is in (no module-level memory:
  // a second copy of this module must agree).
  if (apiserver.chain.hasAdmissionPlugin(HOST_PATH_ADMISSION)) return;
  apiserver.chain.addAdmissionPlugin(hostPathAdmission(policy));
}
