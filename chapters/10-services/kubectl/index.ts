/**
 * Chapter 10 in the chapter 04 kubectl: the names of services (svc) and
 * endpoints (ep), and their describers. Importing this file registers them
 * (workshop/kubectl.ts imports it).
 */
import { registerDescriber } from "../../04-kubectl/kubectl/describe.ts";
import { registerResource } from "../../04-kubectl/kubectl/resources.ts";
import { ENDPOINTS, SERVICES } from "../client/resources.ts";
import { describeEndpoints, describeService } from "./describe-service.ts";

registerResource({ ...SERVICES, singular: "service", shortNames: ["svc"] });
registerResource({ ...ENDPOINTS, singular: "endpoints", shortNames: ["ep"] });
registerDescriber("Service", describeService);
registerDescriber("Endpoints", describeEndpoints);
