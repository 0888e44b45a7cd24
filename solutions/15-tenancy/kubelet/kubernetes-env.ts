/**
 * KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT (and the other
 * variables of the Service default/kubernetes) in every container of every
 * namespace. Chapter 10 gives a pod the variables of its own namespace's
 * Services; this one Service is added everywhere, because it is how a
 * program in any pod finds the apiserver (client libraries read these two
 * variables for their "in-cluster" configuration).
 */
import type { Service } from "../../../shared/api/service.ts";
import { isApiError } from "../../04-kubectl/client/rest.ts";
import type { EnvSource } from "../../05-pods/kubelet/env.ts";
import { serviceVariables } from "../../10-services/kubelet/service-env.ts";
import { SERVICES } from "../client/resources.ts";

export const kubernetesServiceEnvSource: EnvSource = {
  name: "kubernetes service",
  // After chapter 10's Service variables (10): the same values in "default", so the order only matters elsewhere.
  order: 11,
  async variables(ctx) {
    try {
      return serviceVariables(await ctx.client.resource<Service>(SERVICES).get("kubernetes", "default"));
    } catch (err) {
      if (isApiError(err, "NotFound")) return {};
      throw err;
    }
  },
};
