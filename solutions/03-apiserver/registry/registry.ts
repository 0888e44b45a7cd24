/**
 * The resource registry: every kind the apiserver serves, looked up by the
 * path a request uses (group, version, plural) or by its kind.
 *
 * Chapters add resources by calling register() (and subresources by calling
 * addSubresource()); discovery, OpenAPI, routing and Table output all read
 * from here, so a registered resource is served completely.
 */
import { groupVersion } from "../../../shared/api/index.ts";
import { ALL_VERBS, type ResourceDefinition, type Subresource, type Verb } from "./types.ts";

export class ResourceRegistry {
  private readonly resources = new Map<string, ResourceDefinition>();
  private readonly subresources = new Map<string, Map<string, Subresource>>();
  private readonly listeners: (() => void)[] = [];

  /** Adds a resource. Its group/version/plural must be new. */
  register(resource: ResourceDefinition): void {
    const id = resourceId(resource.group, resource.version, resource.plural);
    if (this.resources.has(id)) throw new Error(`resource ${id} is already registered`);
    if (!/^[a-z][a-z0-9]*$/.test(resource.plural))
      throw new Error(`resource plural "${resource.plural}" must be lower-case letters and digits`);
    this.resources.set(id, resource);
    this.changed();
  }

  /** Adds a subresource (binding, log, scale...) to a registered resource. */
  addSubresource(group: string, plural: string, subresource: Subresource): void {
    const parent = this.all().find((r) => r.group === group && r.plural === plural);
    if (!parent)
      throw new Error(`cannot add subresource ${subresource.name}: resource ${plural} (group "${group}") is not registered`);
    const id = resourceId(parent.group, parent.version, parent.plural);
    const subs = this.subresources.get(id) ?? new Map<string, Subresource>();
    if (subs.has(subresource.name) || subresource.name === "status")
      throw new Error(`subresource ${plural}/${subresource.name} already exists`);
    subs.set(subresource.name, subresource);
    this.subresources.set(id, subs);
    this.changed();
  }

  /** The resource served at /api(s)/{group}/{version}/{plural}, if any. */
  lookup(group: string, version: string, plural: string): ResourceDefinition | undefined {
    return this.resources.get(resourceId(group, version, plural));
  }

  /** The resource of a kind in a group/version ("", "v1", "Pod"). */
  byKind(group: string, version: string, kind: string): ResourceDefinition | undefined {
    return this.all().find((r) => r.group === group && r.version === version && r.kind === kind);
  }

  /** The registered subresources of a resource (not counting the built-in status). */
  subresourcesOf(resource: ResourceDefinition): Subresource[] {
    return [...(this.subresources.get(resourceId(resource.group, resource.version, resource.plural))?.values() ?? [])];
  }

  subresource(resource: ResourceDefinition, name: string): Subresource | undefined {
    return this.subresources.get(resourceId(resource.group, resource.version, resource.plural))?.get(name);
  }

  /** Every registered resource, in registration order. */
  all(): ResourceDefinition[] {
    return [...this.resources.values()];
  }

  /** The group/versions served, core ("") first. */
  groupVersions(): { group: string; version: string }[] {
    const seen = new Map<string, { group: string; version: string }>();
    for (const r of this.all()) seen.set(groupVersion(r.group, r.version), { group: r.group, version: r.version });
    return [...seen.values()].sort((a, b) => (a.group === "" ? -1 : b.group === "" ? 1 : a.group.localeCompare(b.group)));
  }

  /** Calls `listener` whenever a resource or subresource is added (discovery and OpenAPI caches use it). */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }
}

export function verbsOf(resource: ResourceDefinition): readonly Verb[] {
  return resource.verbs ?? ALL_VERBS;
}

function resourceId(group: string, version: string, plural: string): string {
  return `${group}/${version}/${plural}`;
}
