/**
 * Chapter 03, given code: the managedFields entry of a create
 * (solutions/03-apiserver/fieldmanager/). A create builds its fieldsV1 tree
 * straight from the object (fieldsV1Of); it must be the very tree the general
 * path gives: every member of the field set (fieldValues), then toFieldsV1.
 */
import { describe, expect, it } from "vitest";
import { deployment } from "../shared/api/schema/apps.ts";
import { pod } from "../shared/api/schema/core.ts";
import type { Schema } from "../shared/api/schema/types.ts";
import { fieldsV1Of, fieldValues, toFieldsV1 } from "@tree/03-apiserver/fieldmanager/fieldpath.ts";
import { recordUpdate } from "@tree/03-apiserver/fieldmanager/managed-fields.ts";

/** The general path: the set with values, then its tree. */
const general = (value: unknown, schema: Schema | undefined, nodes: boolean) =>
  toFieldsV1([...fieldValues(value, schema, nodes).values()].map((v) => v.path));

const podSpec = {
  metadata: {
    labels: { app: "web", tier: "front" },
    annotations: { "example.com/a": "1" },
    finalizers: ["example.com/cleanup", "example.com/other"],
    ownerReferences: [{ apiVersion: "v1", kind: "ReplicationController", name: "rc", uid: "u1", controller: true }],
  },
  spec: {
    nodeSelector: {},
    containers: [
      {
        name: "app",
        image: "busybox:latest",
        command: ["sleep", "3600"],
        ports: [{ containerPort: 80 }, { containerPort: 53, protocol: "UDP" }],
        env: [{ name: "A", value: "1" }],
        resources: { requests: { cpu: "100m", memory: "64Mi" } },
      },
      // Two containers with one name meet in one element of the tree.
      { name: "side", image: "a" },
      { name: "side", imagePullPolicy: "Never" },
    ],
    volumes: [{ name: "data", emptyDir: {} }],
    restartPolicy: "Always",
  },
};

describe("03 chapter > managedFields of a create", () => {
  it("the tree built from the object is the tree of its field set, for Update (nodes) and Apply sets", () => {
    const deploy = {
      metadata: { labels: { app: "web" } },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: "web" } },
        template: { metadata: { labels: { app: "web" } }, spec: podSpec.spec },
      },
    };
    const cases: [unknown, Schema | undefined][] = [
      [podSpec, pod],
      [deploy, deployment],
      [podSpec, undefined], // no schema: no keyed lists, everything atomic or a struct
      [{ spec: { containers: [] } }, pod],
      [{ a: [1, 2], b: { c: null, d: [[1]] }, e: "" }, undefined],
      [{}, pod],
    ];
    for (const [value, schema] of cases) {
      for (const nodes of [true, false]) {
        const fast = fieldsV1Of(value, schema, nodes);
        // Same members, and the same key order once written as JSON.
        expect(JSON.stringify(fast)).toBe(JSON.stringify(general(value, schema, nodes)));
      }
    }
    // The tree is not trivially empty: the keyed list and its "." markers are there.
    expect(fieldsV1Of(podSpec, pod, true)).toMatchObject({
      "f:spec": {
        "f:containers": {
          ".": {},
          'k:{"name":"app"}': { ".": {}, "f:ports": { 'k:{"containerPort":80,"protocol":"TCP"}': {} } },
        },
      },
    });
  });

  it("a create's entry: one Update by the manager, owning everything but status and server metadata", () => {
    const obj = structuredClone({
      apiVersion: "v1",
      kind: "Pod",
      ...podSpec,
      metadata: { ...podSpec.metadata, name: "p", namespace: "default", uid: "x", managedFields: [{ manager: "liar" }] },
      status: { phase: "Pending" },
    });
    recordUpdate(undefined, obj, { name: "bench", apiVersion: "v1", subresource: "", schema: pod });
    const entries = obj.metadata.managedFields as unknown as Record<string, unknown>[];
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ manager: "bench", operation: "Update", apiVersion: "v1", fieldsType: "FieldsV1" });
    expect(entries[0]!.subresource).toBeUndefined();
    const tree = entries[0]!.fieldsV1 as Record<string, Record<string, unknown>>;
    expect(Object.keys(tree)).toEqual(["f:metadata", "f:spec"]);
    expect(Object.keys(tree["f:metadata"]!)).toEqual(["f:annotations", "f:finalizers", "f:labels", "f:ownerReferences"]);

    // An object that sets nothing a manager can own gets no entry at all.
    const bare = { apiVersion: "v1", kind: "Pod", metadata: { name: "q", managedFields: [] }, status: { phase: "Pending" } };
    recordUpdate(undefined, bare as never, { name: "bench", apiVersion: "v1", subresource: "", schema: pod });
    expect(bare.metadata.managedFields).toBeUndefined();
  });
});
