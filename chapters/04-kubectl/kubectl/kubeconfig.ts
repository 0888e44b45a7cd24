/**
 * A kubeconfig file tells a client where the cluster is and who it is. The
 * real format (what `kubectl config view` shows) names three lists, tied
 * together by a context:
 *
 *   clusters:  name -> server URL (and TLS settings)
 *   users:     name -> credentials (here: a bearer token)
 *   contexts:  name -> cluster + user + default namespace
 *   current-context: the context to use
 *
 * The workshop's bring-up writes one, so that both our kubectl and the real
 * one (`KUBECONFIG=.kube/config kubectl get pods`) reach the learner's cluster.
 */
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { parse, stringify } from "yaml";
import { REPO_ROOT } from "../../../shared/chapters.ts";
import { todo } from "../../../shared/todo.ts";

export interface KubeconfigSettings {
  /** "http://127.0.0.1:6443" */
  server: string;
  token?: string;
  /** The default namespace of the context (kubectl uses "default" without one). */
  namespace?: string;
}

/** Where `npm start` writes the workshop cluster's kubeconfig: <repo>/.kube/config. */
export const WORKSHOP_KUBECONFIG = join(REPO_ROOT, ".kube", "config");

const NAME = "workshop";

/** The kubeconfig document for these settings. */
export function kubeconfigDocument(settings: KubeconfigSettings): Record<string, unknown> {
  // TODO(04.9): a kubeconfig that both kubectls and client-node accept: one
  // cluster, one user and one context, named NAME, and the context current.
  // client-node 1.x refuses an http:// server unless the cluster entry sets
  // insecure-skip-tls-verify: true; the real kubectl does not care.
  // Tests: "04.9 kubeconfig > writes a kubeconfig with one cluster, user and context, readable only by its owner, and reads it back",
  // "04.9 kubeconfig > is a kubeconfig that @kubernetes/client-node accepts for an http:// server, with the token".
  todo("04.9");
}

/** Writes a kubeconfig the real kubectl accepts; readable only by its owner (it may hold a token). */
export async function writeKubeconfig(path: string, settings: KubeconfigSettings): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, stringify(kubeconfigDocument(settings)), { mode: 0o600 });
  await chmod(path, 0o600);
}

interface Named<T> {
  name?: string;
  [key: string]: T | string | undefined;
}

/** Reads the current context of a kubeconfig: server, token, namespace. */
export async function readKubeconfig(path: string): Promise<KubeconfigSettings> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw new Error(`cannot read kubeconfig ${path}: is the cluster up (npm start)?`);
  }
  let doc: {
    "current-context"?: string;
    clusters?: Named<{ server?: string }>[];
    users?: Named<{ token?: string }>[];
    contexts?: Named<{ cluster?: string; user?: string; namespace?: string }>[];
  };
  try {
    doc = parse(text) ?? {};
  } catch (err) {
    throw new Error(`kubeconfig ${path} is not valid YAML: ${(err as Error).message.split("\n")[0]}`);
  }
  const find = <T>(list: Named<T>[] | undefined, name: string | undefined, field: string): T | undefined =>
    list?.find((entry) => entry.name === name)?.[field] as T | undefined;
  const contextName = doc["current-context"] ?? doc.contexts?.[0]?.name;
  const context = find<{ cluster?: string; user?: string; namespace?: string }>(doc.contexts, contextName, "context");
  const cluster = find<{ server?: string }>(doc.clusters, context?.cluster, "cluster");
  const user = find<{ token?: string }>(doc.users, context?.user, "user");
  if (!cluster?.server) throw new Error(`kubeconfig ${path} has no server for context "${contextName ?? ""}"`);
  return { server: cluster.server, token: user?.token, namespace: context?.namespace };
}
