/** Chapter 03: the apiserver on 127.0.0.1 (options.port, default any free port). */
import type { ApiServerModule } from "../contracts.ts";
import type { ClusterComponent } from "../types.ts";

export const apiserverComponent: ClusterComponent = {
  chapter: "03",
  name: "apiserver",
  after: { store: "it serves what the store holds" },
  async start(ctx) {
    if (!ctx.store) throw new Error("the apiserver needs the store of chapter 02");
    const { startApiServer } = await ctx.load<ApiServerModule>("03-apiserver/index.ts");
    const apiserver = await startApiServer({ store: ctx.store, host: "127.0.0.1", port: ctx.options.port ?? 0 });
    ctx.apiserver = apiserver;
    ctx.url = apiserver.url;
    ctx.log(`apiserver: ${apiserver.url}`);
    return () => apiserver.close();
  },
};
