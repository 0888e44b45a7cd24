/**
 * The chapter plan of the workshop. Every tool (the learner CLI, the starter
 * generator, the test harness, the todo() stub) reads chapter numbers and
 * folder names from here, so a chapter is named the same way everywhere.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export interface Chapter {
  /** Two digits, as in the folder name and in step ids ("05" in "05.2"). */
  number: string;
  /** Folder name under chapters/ and solutions/. */
  slug: string;
  title: string;
}

export const CHAPTERS: readonly Chapter[] = [
  { number: "01", slug: "01-containers", title: "Containers: a runtime over Docker" },
  { number: "02", slug: "02-etcd", title: "etcd: the cluster's memory" },
  { number: "03", slug: "03-apiserver", title: "The apiserver: the front door" },
  { number: "04", slug: "04-kubectl", title: "kubectl: talking to the cluster" },
  { number: "05", slug: "05-pods", title: "Pods: the kubelet" },
  { number: "06", slug: "06-volumes", title: "Volumes" },
  { number: "07", slug: "07-labels", title: "Labels and selectors" },
  { number: "08", slug: "08-replication", title: "Replication controllers" },
  { number: "09", slug: "09-scheduler", title: "The scheduler" },
  { number: "10", slug: "10-services", title: "Services" },
  { number: "11", slug: "11-secrets", title: "Secrets, ConfigMaps and access control" },
  { number: "12", slug: "12-self-healing", title: "Self-healing" },
  { number: "13", slug: "13-deployments", title: "Deployments: rollouts in the cluster" },
  { number: "14", slug: "14-discovery", title: "Discovery: cluster DNS and Ingress" },
  { number: "15", slug: "15-tenancy", title: "Tenancy: namespaces, service accounts, quotas" },
  { number: "16", slug: "16-high-availability", title: "High availability: leader election, etcd quorum, node leases" },
  { number: "17", slug: "17-consensus", title: "Consensus: Raft for the store" },
];

/** The repository root (this file lives in <root>/shared/). */
export const REPO_ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

/**
 * Chapters whose reference solution exists in this checkout. The plan above
 * lists all twelve; a chapter becomes available once solutions/<slug> exists.
 */
export function availableChapters(root: string = REPO_ROOT): Chapter[] {
  return CHAPTERS.filter((c) => existsSync(join(root, "solutions", c.slug)));
}

/** Finds a chapter by "1", "01", "01-containers" or "containers". */
export function findChapter(id: string): Chapter | undefined {
  const wanted = id.trim().toLowerCase();
  return CHAPTERS.find((c) => c.number === wanted.padStart(2, "0") || c.slug === wanted || c.slug.slice(3) === wanted);
}

/** "05.2" -> { chapter: 05-pods, step: "05.2" }, or undefined if malformed. */
export function parseStepId(id: string): { chapter: Chapter; step: string } | undefined {
  const m = /^(\d{1,2})\.(\d{1,2})$/.exec(id.trim());
  if (!m) return undefined;
  const chapter = findChapter(m[1]!);
  if (!chapter) return undefined;
  return { chapter, step: `${chapter.number}.${Number(m[2])}` };
}
