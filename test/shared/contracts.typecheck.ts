/**
 * Not a test file that runs: `npm run typecheck` checks that the reference
 * solutions and the generated starters give the cluster bring-up what it
 * expects (shared/cluster/contracts.ts). shared/ may not import a chapter;
 * this file, outside shared/, ties the two together.
 */
import type * as C from "../../shared/cluster/contracts.ts";

import * as store from "../../solutions/02-etcd/index.ts";
import * as apiserver from "../../solutions/03-apiserver/index.ts";
import * as runtime from "../../solutions/01-containers/docker-runtime.ts";
import * as pods from "../../solutions/05-pods/index.ts";
import * as volumes from "../../solutions/06-volumes/index.ts";
import * as labels from "../../solutions/07-labels/index.ts";
import * as replication from "../../solutions/08-replication/index.ts";
import * as scheduler from "../../solutions/09-scheduler/index.ts";
import * as services from "../../solutions/10-services/index.ts";
import * as secrets from "../../solutions/11-secrets/index.ts";
import * as healing from "../../solutions/12-self-healing/index.ts";
import * as deployments from "../../solutions/13-deployments/index.ts";
import * as tenancy from "../../solutions/15-tenancy/index.ts";
import * as discovery from "../../solutions/14-discovery/index.ts";
import * as highAvailability from "../../solutions/16-high-availability/index.ts";

import * as storeStarter from "../../chapters/02-etcd/index.ts";
import * as apiserverStarter from "../../chapters/03-apiserver/index.ts";
import * as runtimeStarter from "../../chapters/01-containers/docker-runtime.ts";
import * as podsStarter from "../../chapters/05-pods/index.ts";
import * as volumesStarter from "../../chapters/06-volumes/index.ts";
import * as labelsStarter from "../../chapters/07-labels/index.ts";
import * as replicationStarter from "../../chapters/08-replication/index.ts";
import * as schedulerStarter from "../../chapters/09-scheduler/index.ts";
import * as servicesStarter from "../../chapters/10-services/index.ts";
import * as secretsStarter from "../../chapters/11-secrets/index.ts";
import * as healingStarter from "../../chapters/12-self-healing/index.ts";
import * as deploymentsStarter from "../../chapters/13-deployments/index.ts";
import * as tenancyStarter from "../../chapters/15-tenancy/index.ts";
import * as discoveryStarter from "../../chapters/14-discovery/index.ts";
import * as highAvailabilityStarter from "../../chapters/16-high-availability/index.ts";

export const solutionsSatisfyContracts = [
  store satisfies C.StoreModule,
  apiserver satisfies C.ApiServerModule,
  runtime satisfies C.RuntimeModule,
  pods satisfies C.PodsModule,
  volumes satisfies C.VolumesModule,
  labels satisfies C.LabelsModule,
  replication satisfies C.ReplicationModule,
  scheduler satisfies C.SchedulerModule,
  services satisfies C.ServicesModule,
  secrets satisfies C.SecretsModule,
  healing satisfies C.SelfHealingModule,
  deployments satisfies C.DeploymentsModule,
  discovery satisfies C.DiscoveryModule,
  highAvailability satisfies C.HighAvailabilityModule,
];

export const startersSatisfyContracts = [
  storeStarter satisfies C.StoreModule,
  apiserverStarter satisfies C.ApiServerModule,
  runtimeStarter satisfies C.RuntimeModule,
  podsStarter satisfies C.PodsModule,
  volumesStarter satisfies C.VolumesModule,
  labelsStarter satisfies C.LabelsModule,
  replicationStarter satisfies C.ReplicationModule,
  schedulerStarter satisfies C.SchedulerModule,
  servicesStarter satisfies C.ServicesModule,
  secretsStarter satisfies C.SecretsModule,
  healingStarter satisfies C.SelfHealingModule,
  deploymentsStarter satisfies C.DeploymentsModule,
  discoveryStarter satisfies C.DiscoveryModule,
  highAvailabilityStarter satisfies C.HighAvailabilityModule,
];
