/**
 * ResourceQuota admission: a create that would take a namespace over one of
 * its quotas is refused, before anything is stored.
 *
 *   POST pod --> for each quota of the namespace (status.used is its ledger):
 *                  used + what this pod costs > hard?  --> 403 exceeded quota
 *                  else write used + cost into the quota (compare-and-swap on resourceVersion)
 *            --> the pod is stored
 *
 * Writing the new total into the quota before the object is stored is what
 * makes two creates at once safe: both read used=1 of 2, both try to write
 * used=2, and the resourceVersion lets only one win; the other reads again
 * and sees there is no room. The quota controller later recounts from the
 * objects themselves (a create that failed after admission was charged for
 * nothing; a deleted pod gives its share back).
 */
import { forbidden, isApiError } from "../../../shared/api/index.ts";
import type { ResourceList, ResourceQuota } from "../../../shared/api/tenancy.ts";
import type { AdmissionPlugin } from "../../03-apiserver/chain/types.ts";
import type { ResourceRegistry } from "../../03-apiserver/registry/registry.ts";
import type { ObjectStorage } from "../../03-apiserver/storage/object-storage.ts";
import { formatQuantity, quantityValue, usageOf, type Usage } from "./usage.ts";

export class QuotaExceeded extends Error {
  override readonly name = "QuotaExceeded";
}

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

// STEP(15.5): charge `requested` to one quota. Only the resources the quota
// limits (spec.hard) count. A quota whose status.hard is not written yet
// cannot be trusted: throw QuotaExceeded("status unknown for quota: NAME").
// When used + requested goes over hard for any resource, throw
// QuotaExceeded with Kubernetes' message, listing only the exceeded
// resources, sorted by name:
//   exceeded quota: NAME, requested: pods=1, used: pods=2, limited: pods=2
// (several: "requested: limits.cpu=2,pods=1"; formatQuantity for values).
// Otherwise return the new status.used. Tests: the "15.5" tests.
export function chargeQuota(quota: ResourceQuota, requested: Usage): ResourceList {
  //#solution
  const name = quota.metadata?.name ?? "";
  const hard = quota.spec?.hard ?? {};
  if (!quota.status?.hard) throw new QuotaExceeded(`status unknown for quota: ${name}`);
  const used = quota.status.used ?? {};
  const next: ResourceList = { ...used };
  const over: string[] = [];
  for (const resource of Object.keys(hard).sort(byName)) {
    const want = requested.get(resource) ?? 0;
    if (want === 0) continue;
    const now = quantityValue(resource, used[resource] ?? 0);
    if (now + want > quantityValue(resource, hard[resource]!)) over.push(resource);
    next[resource] = formatQuantity(resource, now + want);
  }
  if (over.length > 0) {
    const list = (value: (r: string) => string) => over.map((r) => `${r}=${value(r)}`).join(",");
    throw new QuotaExceeded(
      `exceeded quota: ${name}, requested: ${list((r) => formatQuantity(r, requested.get(r)!))}, ` +
        `used: ${list((r) => formatQuantity(r, quantityValue(r, used[r] ?? 0)))}, limited: ${list((r) => String(hard[r]))}`,
    );
  }
  return next;
  //#end
}

/** The ResourceQuota admission plugin (validating: it runs after LimitRange has filled in defaults). */
export function resourceQuotaAdmission(storage: ObjectStorage, registry: ResourceRegistry): AdmissionPlugin {
  return {
    name: "ResourceQuota",
    async validate(request) {
      if (request.operation !== "CREATE" || request.subresource || !request.namespace || !request.object) return;
      const requested = usageOf(request.resource.plural, request.object);
      if (requested.size === 0) return;
      const quotas = registry.lookup("", "v1", "resourcequotas");
      if (!quotas) return;
      const { items } = await storage.list(quotas, request.namespace);
      for (const item of [...items].sort((a, b) => byName(a.metadata?.name ?? "", b.metadata?.name ?? ""))) {
        for (let attempt = 0; ; attempt++) {
          const quota = (
            attempt === 0 ? item : await storage.get(quotas, request.namespace, item.metadata?.name ?? "")
          ) as ResourceQuota;
          let used: ResourceList;
          try {
            used = chargeQuota(quota, requested);
          } catch (err) {
            if (err instanceof QuotaExceeded)
              throw forbidden({ resource: request.resource.plural, group: request.resource.group }, request.name, err.message);
            throw err;
          }
          try {
            await storage.update(quotas, { ...quota, status: { ...quota.status, used } }, quota.metadata?.resourceVersion ?? "");
            break;
          } catch (err) {
            if (!isApiError(err, "Conflict") || attempt >= 10) throw err;
          }
        }
      }
    },
  };
}
