/**
 * The live picture of the cluster: a page in the browser (server.ts) and a
 * view in the terminal (text.ts), both drawn from one feed of informers
 * (feed.ts) through one picture (picture.ts).
 */
export { ClusterFeed, type FeedOptions } from "./feed.ts";
export { buildPicture, type ClusterPicture } from "./picture.ts";
export { PortTakenError, startDashboard, type DashboardServer } from "./server.ts";
export { renderText } from "./text.ts";
