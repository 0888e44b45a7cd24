/** Everything in shared/api: types, errors, validation, helpers and schemas. */
export * from "./meta.ts";
export * from "./core.ts";
export * from "./errors.ts";
export * from "./validation.ts";
export * from "./helpers.ts";
export type { Schema } from "./schema/types.ts";
