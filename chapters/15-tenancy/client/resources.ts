/** How clients (controllers, the kubelet, kubectl) address this chapter's kinds, and the ones they count. */
import type { ResourceType } from "../../04-kubectl/client/rest.ts";

const core = (resource: string, kind: string): ResourceType => ({ group: "", version: "v1", resource, kind, namespaced: true });

export const SERVICE_ACCOUNTS = core("serviceaccounts", "ServiceAccount");
export const RESOURCE_QUOTAS = core("resourcequotas", "ResourceQuota");
export const LIMIT_RANGES = core("limitranges", "LimitRange");
export const CONFIG_MAPS = core("configmaps", "ConfigMap");
export const SECRETS = core("secrets", "Secret");
export const SERVICES = core("services", "Service");
