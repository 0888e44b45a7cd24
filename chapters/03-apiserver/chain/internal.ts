/** The identity the apiserver uses for its own work (bootstrap, namespace cleanup). */
import type { UserInfo } from "./types.ts";

export const ADMIN: UserInfo = { username: "system:apiserver", groups: ["system:masters"] };
