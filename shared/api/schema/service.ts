/** Schemas of the kinds in shared/api/service.ts: Service and Endpoints. */
import { kindSchema, objectReference } from "./meta.ts";
import { arrayOf, boolean, integer, intOrString, mapOf, mergeList, object, string, type Schema } from "./types.ts";

const servicePort = object(
  { name: string, protocol: string, appProtocol: string, port: integer, targetPort: intOrString, nodePort: integer },
  { required: ["port"] },
);

export const service: Schema = kindSchema(
  {
    spec: object({
      // Strategic merge patch matches ports by port number, as Kubernetes does.
      ports: mergeList(servicePort, "port"),
      selector: { ...mapOf(string), "x-kubernetes-map-type": "atomic" },
      clusterIP: string,
      clusterIPs: arrayOf(string, { listType: "atomic" }),
      type: string,
      sessionAffinity: string,
      externalName: string,
      externalIPs: arrayOf(string),
      ipFamilies: arrayOf(string, { listType: "atomic" }),
      ipFamilyPolicy: string,
      internalTrafficPolicy: string,
      externalTrafficPolicy: string,
      publishNotReadyAddresses: boolean,
    }),
    status: object({
      loadBalancer: object({ ingress: arrayOf(object({ ip: string, hostname: string })) }),
    }),
  },
  "Service is a named abstraction of software service (for example, mysql) consisting of local port (for example 3306) that the proxy listens on, and the selector that determines which pods will answer requests sent through the proxy.",
);

const endpointAddress = object(
  { ip: string, hostname: string, nodeName: string, targetRef: objectReference },
  { required: ["ip"] },
);
const endpointPort = object({ name: string, port: integer, protocol: string, appProtocol: string }, { required: ["port"] });

export const endpoints: Schema = kindSchema(
  {
    subsets: arrayOf(
      object({
        addresses: arrayOf(endpointAddress),
        notReadyAddresses: arrayOf(endpointAddress),
        ports: arrayOf(endpointPort),
      }),
    ),
  },
  "Endpoints is a collection of endpoints that implement the actual service.",
);
