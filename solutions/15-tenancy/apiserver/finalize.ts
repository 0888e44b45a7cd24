/**
 * namespaces/NAME/finalize: the one way to change a namespace's
 * spec.finalizers (an update of the namespace itself keeps them). The
 * namespace controller removes "kubernetes" here when the namespace is
 * empty. A namespace that is being deleted and has no finalizer left is
 * removed from the store at once: nothing waits for it any more.
 */
import { badRequest, type Namespace } from "../../../shared/api/index.ts";
import type { Subresource } from "../../03-apiserver/registry/types.ts";
import type { ObjectStorage } from "../../03-apiserver/storage/object-storage.ts";

export function finalizeSubresource(storage: ObjectStorage): Subresource {
  return {
    name: "finalize",
    verbs: ["update"],
    async handle(request, api) {
      const body = (await request.body()) as Namespace | undefined;
      const finalizers = body?.spec?.finalizers;
      if (finalizers !== undefined && !Array.isArray(finalizers)) throw badRequest("spec.finalizers must be a list of strings");
      const updated = await api.update(request.resource, undefined, request.name, (current) => ({
        ...current,
        spec: { ...(current.spec as object), finalizers: finalizers ?? [] },
      }));
      const left = (updated as Namespace).spec?.finalizers ?? [];
      if (updated.metadata?.deletionTimestamp && left.length === 0) {
        await storage.delete(request.resource, updated, updated.metadata.resourceVersion);
      }
      return { code: 200, body: updated };
    },
  };
}
