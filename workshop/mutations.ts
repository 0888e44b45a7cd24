/**
 * Wrong implementations a learner is likely to write, as data. `npm run
 * mutate NN` applies each one to a scratch copy of solutions/ and runs the
 * chapter's tests there: a good suite fails ("kills") every one of them, and
 * the first failing step it names is the step the mistake is in.
 *
 * A mutation replaces one exact text (`find`, which must occur once in the
 * file) with `replace`. Keep `find` to code lines, not comments, so that a
 * reworded comment does not break it. docs/maintainers.md lists them per
 * chapter, in words.
 */
export interface Mutation {
  /** The step whose code is wrong, and whose tests must fail first ("02.4"). */
  step: string;
  /** What the learner got wrong, in a few words. */
  mistake: string;
  /** Path under solutions/. */
  file: string;
  find: string;
  replace: string;
}

export const MUTATIONS: readonly Mutation[] = [
  // Chapter 02: the store
  {
    step: "02.2",
    mistake: "update forgets prevKv in its event",
    file: "02-etcd/mvcc.ts",
    find: 'return this.commit({ type: "PUT", kv, prevKv: prev });',
    replace: 'return this.commit({ type: "PUT", kv });',
  },
  {
    step: "02.2",
    mistake: "update ignores the expected modRevision (no compare-and-swap)",
    file: "02-etcd/mvcc.ts",
    find: "const prev = this.mustExist(key, expectedModRevision);\n    const revision = this.revision + 1;\n    const kv: KeyValue = { ...prev",
    replace: "const prev = this.mustExist(key);\n    const revision = this.revision + 1;\n    const kv: KeyValue = { ...prev",
  },
  {
    step: "02.3",
    mistake: "range sorts with localeCompare instead of by bytes",
    file: "02-etcd/mvcc.ts",
    find: "found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));",
    replace: "found.sort((a, b) => a.key.localeCompare(b.key));",
  },
  {
    step: "02.4",
    mistake: "watch replay starts one revision late",
    file: "02-etcd/mvcc.ts",
    find: "const start = Math.max(fromRevision, this.firstKept()) - this.firstKept();",
    replace: "const start = Math.max(fromRevision + 1, this.firstKept()) - this.firstKept();",
  },
  {
    step: "02.4",
    mistake: "a watch drops the event at exactly its next revision (< written as <=)",
    file: "02-etcd/watch.ts",
    find: "if (event.kv.modRevision < this.next || !event.kv.key.startsWith(this.prefix)) continue;",
    replace: "if (event.kv.modRevision <= this.next || !event.kv.key.startsWith(this.prefix)) continue;",
  },
  {
    step: "02.5",
    mistake: "a watch from a compacted revision is accepted",
    file: "02-etcd/mvcc.ts",
    find: "if (fromRevision < this.compactRevision) {",
    replace: "if (fromRevision < this.compactRevision && false) {",
  },
  {
    step: "02.5",
    mistake: "compacting again at the same revision is accepted",
    file: "02-etcd/mvcc.ts",
    find: "if (revision <= this.compactRevision) {",
    replace: "if (revision < this.compactRevision) {",
  },
  {
    step: "02.6",
    mistake: "write acknowledges before the log append is durable (no await)",
    file: "02-etcd/store.ts",
    find: 'await this.track(log.append({ type: "event", event }));',
    replace: 'this.track(log.append({ type: "event", event })).catch(() => {});',
  },
  {
    step: "02.6",
    mistake: "the log resolves appends before fsync",
    file: "02-etcd/wal.ts",
    find: "          await this.file.datasync();",
    replace: "          for (const p of batch) p.resolve();\n          await this.file.datasync();",
  },
  {
    step: "02.6",
    mistake: "one fsync per record (no group commit)",
    file: "02-etcd/wal.ts",
    find: "const batch = this.pending;\n        this.pending = [];",
    replace: "const batch = this.pending.splice(0, 1);",
  },
  {
    step: "02.7",
    mistake: "a torn record at the end of the last segment is fatal",
    file: "02-etcd/index.ts",
    find: "if (!isLast) throw new Error(",
    replace: "throw new Error(",
  },
  {
    step: "02.8",
    mistake: "old log segments removed before the snapshot is on disk",
    file: "02-etcd/store.ts",
    find: "await writeSnapshot(dir, state);\n    await log.removeSegmentsBefore(firstNewSegment);",
    replace: "await log.removeSegmentsBefore(firstNewSegment);\n    await writeSnapshot(dir, state);",
  },

  // Chapter 07: labels and selectors
  {
    step: "07.1",
    mistake: 'the lexer checks = before == ("a==b" becomes = = )',
    file: "07-labels/labels/lexer.ts",
    find: '} else if ((ch === "=" || ch === "!") && selector[i + 1] === "=") {',
    replace: '} else if (ch === "!" && selector[i + 1] === "=") {',
  },
  {
    step: "07.1",
    mistake: "an identifier records where it ends, not where it starts",
    file: "07-labels/labels/lexer.ts",
    find: 'tokens.push({ kind: "identifier", text: selector.slice(start, i), position: start });',
    replace: 'tokens.push({ kind: "identifier", text: selector.slice(start, i), position: i });',
  },
  {
    step: "07.2",
    mistake: 'the parser ignores what follows a requirement ("app=web db" accepted)',
    file: "07-labels/labels/selector.ts",
    find: 'if (token.kind !== ",") this.fail(token, `"," or the end of the selector`);',
    replace: 'if (token.kind !== ",") return requirements;',
  },
  {
    step: "07.2",
    mistake: '"!key" parsed as Exists',
    file: "07-labels/labels/selector.ts",
    find: 'return { key: this.parseKey(), operator: "DoesNotExist", values: [] };',
    replace: 'return { key: this.parseKey(), operator: "Exists", values: [] };',
  },
  {
    step: "07.3",
    mistake: "notin requires the key to be present",
    file: "07-labels/labels/selector.ts",
    find: "return !has || !requirement.values.includes(value!);",
    replace: "return has && !requirement.values.includes(value!);",
  },
  {
    step: "07.4",
    mistake: "a field selector keeps the backslash of an escape",
    file: "07-labels/labels/field-selector.ts",
    find: "      text += escaped;",
    replace: "      text += ch + escaped;",
  },
  {
    step: "07.4",
    mistake: "!= read as =",
    file: "07-labels/labels/field-selector.ts",
    find: 'operator = ch === "!" ? "NotEquals" : "Equals";',
    replace: 'operator = "Equals";',
  },
  {
    step: "07.5",
    mistake: 'an object without labels never matches (even "!app")',
    file: "07-labels/apiserver/selector-filters.ts",
    find: "return (obj) => selector.matches(obj.metadata?.labels);",
    replace: "return (obj) => obj.metadata?.labels !== undefined && selector.matches(obj.metadata.labels);",
  },
  {
    step: "07.5",
    mistake: "an unsupported field in a field selector is ignored, not a 400",
    file: "07-labels/apiserver/selector-filters.ts",
    find: "if (!Object.hasOwn(fields, r.field)) {",
    replace: "if (!Object.hasOwn(fields, r.field) && false) {",
  },
  {
    step: "07.6",
    mistake: "label overwrites a value without --overwrite",
    file: "07-labels/kubectl/metadata-changes.ts",
    find: "refused.push(`'${key}' already has a value (${map[key]})`);",
    replace: "patch[key] = value;",
  },

  // Chapter 03: the apiserver
  {
    step: "03.7",
    mistake: "an object leaving a watch's selection is not sent as DELETED",
    file: "03-apiserver/watch/events.ts",
    find: 'if (wasIn) return { type: "DELETED", object: after };',
    replace: "",
  },
];
