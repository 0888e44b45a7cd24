/** What the HTTP handlers need: the REST context plus filters and open watches. */
import type { FilterRegistry } from "../filters/filters.ts";
import type { RestContext } from "../rest/context.ts";
import type { WatchOptions, WatchRegistry } from "../watch/watch.ts";

export interface HandlerContext extends RestContext {
  filters: FilterRegistry;
  watches: WatchRegistry;
  watchOptions: WatchOptions;
}
