/**
 * Chapter 15's part of the chapter 04 kubectl, as a plugin: the names
 * serviceaccount(s)/sa, resourcequota(s)/quota and limitrange(s)/limits.
 */
import type { KubectlPlugin } from "../../04-kubectl/kubectl/plugin.ts";
import { LIMIT_RANGES, RESOURCE_QUOTAS, SERVICE_ACCOUNTS } from "../client/resources.ts";

export const kubectlPlugin: KubectlPlugin = {
  resources: [
    { ...SERVICE_ACCOUNTS, singular: "serviceaccount", shortNames: ["sa"] },
    { ...RESOURCE_QUOTAS, singular: "resourcequota", shortNames: ["quota"] },
    { ...LIMIT_RANGES, singular: "limitrange", shortNames: ["limits"] },
  ],
};
