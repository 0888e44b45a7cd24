/**
 * deployments/NAME/scale and replicasets/NAME/scale: the same autoscaling/v1
 * Scale as chapter 08's, so `kubectl scale deployment web --replicas=3`
 * works. Only status.selector differs: an apps/v1 selector is an object,
 * and the Scale carries it as a string ("app=web,tier in (a,b)").
 */
import type { Deployment } from "../../../shared/api/apps.ts";
import type { Scale } from "../../../shared/api/replication.ts";
import type { Subresource } from "../../03-apiserver/registry/types.ts";
import { scaleSubresource } from "../../08-replication/apiserver/scale.ts";
import { formatLabelSelector } from "./selector.ts";

export const appsScaleSubresource: Subresource = {
  ...scaleSubresource,
  async handle(request, api) {
    const answer = await scaleSubresource.handle(request, api);
    if (!answer || answer.code !== 200) return answer;
    const owner = (await api.get(request.resource, request.namespace, request.name)) as Deployment;
    const scale = answer.body as Scale;
    return { code: 200, body: { ...scale, status: { replicas: scale.status?.replicas ?? 0, selector: formatLabelSelector(owner.spec?.selector) } } };
  },
};
