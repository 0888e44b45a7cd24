/** The benchmark's side of the API: the reference client of chapter 04. */
import type { Namespace } from "../../shared/api/index.ts";
import { NAMESPACES } from "../../solutions/04-kubectl/client/resources.ts";
import { RestClient } from "../../solutions/04-kubectl/client/rest.ts";

export { NAMESPACES, NODES, PODS } from "../../solutions/04-kubectl/client/resources.ts";
export { RestClient } from "../../solutions/04-kubectl/client/rest.ts";
export { Watch } from "../../solutions/04-kubectl/client/watch.ts";

export async function createNamespaces(client: RestClient, names: string[]): Promise<void> {
  for (const name of names) await client.resource<Namespace>(NAMESPACES).create({ metadata: { name } });
}
