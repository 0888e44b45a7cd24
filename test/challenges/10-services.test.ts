/**
 * Chapter 10 challenges: optional extensions. They fail until you build
 * them; run them with `npm run check 10 -- --challenges`.
 */
import { describe, expect, it } from "vitest";
import { defaultService, validateService } from "@tree/10-services/apiserver/service-validation.ts";
import type { Service } from "../../shared/api/service.ts";

function service(name: string, clusterIP: string, extra: Partial<NonNullable<Service["spec"]>> = {}): Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace: "default" },
    spec: { clusterIP, selector: { app: name }, ports: [{ port: 80 }], ...extra },
  };
}

describe("10 challenge", () => {
  it("sessionAffinity ClientIP is accepted", () => {
    const svc = service("web", "", { sessionAffinity: "ClientIP" } as never);
    defaultService(svc);
    expect(validateService(svc)).toEqual([]);
  });

  it("findLeaks names an address no Service holds", async () => {
    // Write apiserver/repair.ts exporting
    //   findLeaks(allocated: Map<string, { namespace: string; name: string }>, services: Service[]): string[]
    // the allocated addresses whose owner has no Service with that cluster IP.
    const path = "@tree/10-services/apiserver/repair.ts";
    const { findLeaks } = (await import(/* @vite-ignore */ path)) as {
      findLeaks: (allocated: Map<string, { namespace: string; name: string }>, services: Service[]) => string[];
    };
    const allocated = new Map([
      ["10.96.0.5", { namespace: "default", name: "gone" }],
      ["10.96.0.6", { namespace: "default", name: "web" }],
      ["10.96.0.7", { namespace: "default", name: "moved" }],
    ]);
    const services = [service("web", "10.96.0.6"), service("moved", "10.96.0.9")];
    expect(findLeaks(allocated, services).sort()).toEqual(["10.96.0.5", "10.96.0.7"]);
  });
});
