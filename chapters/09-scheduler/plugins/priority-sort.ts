/**
 * PrioritySort, the queue-sort plugin: pods with a higher spec.priority
 * first; among equals, the one that has waited longest.
 */
import type { Plugin } from "../framework/types.ts";

export const NAME = "PrioritySort";

export const prioritySort: Plugin = {
  name: NAME,
  less(a, b) {
    const pa = a.pod.spec?.priority ?? 0;
    const pb = b.pod.spec?.priority ?? 0;
    return pa !== pb ? pa > pb : a.timestamp < b.timestamp;
  },
};
