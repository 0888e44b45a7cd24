/**
 * Chapter 10's part of the chapter 04 kubectl, as a plugin
 * (04-kubectl/kubectl/plugin.ts): the names of services (svc) and endpoints
 * (ep), and their describers.
 */
import type { KubectlPlugin } from "../../04-kubectl/kubectl/plugin.ts";
import { ENDPOINTS, SERVICES } from "../client/resources.ts";
import { describeEndpoints, describeService } from "./describe-service.ts";

export const kubectlPlugin: KubectlPlugin = {
  resources: [
    { ...SERVICES, singular: "service", shortNames: ["svc"] },
    { ...ENDPOINTS, singular: "endpoints", shortNames: ["ep"] },
  ],
  describers: { Service: describeService, Endpoints: describeEndpoints },
};
