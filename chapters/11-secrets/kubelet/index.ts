/** What chapter 11 adds to every kubelet: volume plugins, an env source and valueFrom resolvers. */
import type { KubeletExtensions } from "../../05-pods/index.ts";
import { configMapVolumePlugin } from "./configmap-volume.ts";
import { envFromSource } from "./env-from.ts";
import { secretVolumePlugin, type SecretVolumeOptions } from "./secret-volume.ts";
import { configMapKeyRefResolver, secretKeyRefResolver } from "./value-from.ts";

export function kubeletExtensions(
  options: SecretVolumeOptions = {},
): Required<Pick<KubeletExtensions, "volumePlugins" | "envSources" | "envVarResolvers">> {
  return {
    volumePlugins: [secretVolumePlugin(options), configMapVolumePlugin],
    envSources: [envFromSource],
    envVarResolvers: [secretKeyRefResolver, configMapKeyRefResolver],
  };
}

export { configMapVolumePlugin, envFromSource, secretVolumePlugin, configMapKeyRefResolver, secretKeyRefResolver };
export { projectFiles, writeFiles } from "./projection.ts";
export { CONFIGMAPS, SECRETS, readData } from "./objects.ts";
