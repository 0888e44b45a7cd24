/** Schemas of the kinds in shared/api/networking.ts: Ingress and IngressClass (networking.k8s.io/v1). */
import { kindSchema } from "./meta.ts";
import { anyObject, arrayOf, integer, object, string, type Schema } from "./types.ts";

const backend = object({
  service: object({ name: string, port: object({ number: integer, name: string }) }, { required: ["name"] }),
  resource: object({ apiGroup: string, kind: string, name: string }),
});

const path = object({ path: string, pathType: string, backend }, { required: ["pathType", "backend"] });

export const ingress: Schema = kindSchema(
  {
    spec: object({
      ingressClassName: string,
      defaultBackend: backend,
      tls: arrayOf(object({ hosts: arrayOf(string), secretName: string })),
      rules: arrayOf(object({ host: string, http: object({ paths: arrayOf(path) }, { required: ["paths"] }) })),
    }),
    status: object({
      loadBalancer: object({
        ingress: arrayOf(object({ ip: string, hostname: string, ports: arrayOf(object({ port: integer, protocol: string })) })),
      }),
    }),
  },
  "Ingress is a collection of rules that allow inbound connections to reach the endpoints defined by a backend.",
);

export const ingressClass: Schema = kindSchema(
  { spec: object({ controller: string, parameters: anyObject }) },
  "IngressClass represents the class of the Ingress, referenced by the Ingress Spec.",
);
