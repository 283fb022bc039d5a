// RFC 6902 JSON patch with the failure split kube-apiserver has: a document that is not a
// patch is a 400, an operation that cannot apply (failed test, missing path) is a 422.
import { isPlainObject } from '../types/model.js';
import type { JsonValue } from '../types/model.js';

export class JsonPatchDecodeError extends Error {}
export class JsonPatchApplyError extends Error {}

interface Op {
  op: string;
  path: string;
  from?: string;
  value?: JsonValue;
  hasValue: boolean;
}

export function decodeJsonPatch(doc: unknown): Op[] {
  if (!Array.isArray(doc)) {
    const kind = doc === null ? 'null' : typeof doc === 'object' ? 'object' : typeof doc;
    throw new JsonPatchDecodeError(`json: cannot unmarshal ${kind} into Go value of type jsonpatch.Patch`);
  }
  return doc.map((o: unknown) => {
    if (!isPlainObject(o))
      throw new JsonPatchDecodeError('json: cannot unmarshal into Go value of type jsonpatch.Operation');
    const op: Op = {
      op: typeof o.op === 'string' ? o.op : 'unknown',
      path: typeof o.path === 'string' ? o.path : '',
      hasValue: 'value' in o,
    };
    if ('value' in o) op.value = o.value;
    if (typeof o.from === 'string') op.from = o.from;
    if (typeof o.path !== 'string' && op.op !== 'unknown') op.path = '\u0000missing';
    return op;
  });
}

function parsePointer(p: string): string[] {
  if (p === '') return [];
  if (!p.startsWith('/')) throw new JsonPatchApplyError(`invalid path: ${p}`);
  return p
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

type Container = JsonValue[] | { [k: string]: JsonValue };

function resolveParent(doc: JsonValue, parts: string[], path: string): [Container, string] {
  let cur: JsonValue = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const key = parts[i] as string;
    if (Array.isArray(cur)) {
      const idx = arrayIndex(key, cur.length - 1);
      cur = cur[idx] as JsonValue;
    } else if (isPlainObject(cur) && Object.prototype.hasOwnProperty.call(cur, key)) {
      cur = cur[key] as JsonValue;
    } else throw new JsonPatchApplyError(`doc is missing path: "${path}": missing value`);
  }
  if (!Array.isArray(cur) && !isPlainObject(cur))
    throw new JsonPatchApplyError(`doc is missing path: "${path}"`);
  return [cur, parts[parts.length - 1] as string];
}

function arrayIndex(key: string, max: number): number {
  if (!/^(0|[1-9][0-9]*)$/.test(key)) throw new JsonPatchApplyError(`invalid index: ${key}`);
  const i = Number(key);
  if (i > max) throw new JsonPatchApplyError(`index out of bounds: ${i}`);
  return i;
}

function get(doc: JsonValue, path: string): JsonValue {
  const parts = parsePointer(path);
  if (parts.length === 0) return doc;
  const [c, key] = resolveParent(doc, parts, path);
  if (Array.isArray(c)) return c[arrayIndex(key, c.length - 1)] as JsonValue;
  if (!Object.prototype.hasOwnProperty.call(c, key))
    throw new JsonPatchApplyError(`doc is missing key: ${path}`);
  return c[key] as JsonValue;
}

function add(doc: JsonValue, path: string, value: JsonValue): JsonValue {
  const parts = parsePointer(path);
  if (parts.length === 0) return value;
  const [c, key] = resolveParent(doc, parts, path);
  if (Array.isArray(c)) {
    if (key === '-') c.push(value);
    else c.splice(arrayIndex(key, c.length), 0, value);
  } else c[key] = value;
  return doc;
}

function remove(doc: JsonValue, path: string): JsonValue {
  const parts = parsePointer(path);
  if (parts.length === 0) throw new JsonPatchApplyError('unable to remove the whole document');
  const [c, key] = resolveParent(doc, parts, path);
  if (Array.isArray(c)) c.splice(arrayIndex(key, c.length - 1), 1);
  else {
    if (!Object.prototype.hasOwnProperty.call(c, key))
      throw new JsonPatchApplyError(`remove operation does not apply: doc is missing path: "${path}"`);
    delete c[key];
  }
  return doc;
}

function deepEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

export function applyJsonPatch(original: JsonValue, ops: Op[]): JsonValue {
  let doc = structuredClone(original);
  for (const o of ops) {
    if (o.path === '\u0000missing') throw new JsonPatchApplyError(`operation missing path`);
    switch (o.op) {
      case 'add':
        if (!o.hasValue) throw new JsonPatchApplyError('add operation, missing value');
        doc = add(doc, o.path, structuredClone(o.value as JsonValue));
        break;
      case 'remove':
        doc = remove(doc, o.path);
        break;
      case 'replace': {
        if (!o.hasValue) throw new JsonPatchApplyError('replace operation, missing value');
        get(doc, o.path);
        const parts = parsePointer(o.path);
        if (parts.length === 0) doc = structuredClone(o.value as JsonValue);
        else {
          const [c, key] = resolveParent(doc, parts, o.path);
          if (Array.isArray(c)) c[arrayIndex(key, c.length - 1)] = structuredClone(o.value as JsonValue);
          else c[key] = structuredClone(o.value as JsonValue);
        }
        break;
      }
      case 'move': {
        if (o.from === undefined) throw new JsonPatchApplyError('move operation, missing from');
        const v = get(doc, o.from);
        doc = remove(doc, o.from);
        doc = add(doc, o.path, v);
        break;
      }
      case 'copy': {
        if (o.from === undefined) throw new JsonPatchApplyError('copy operation, missing from');
        doc = add(doc, o.path, structuredClone(get(doc, o.from)));
        break;
      }
      case 'test': {
        let actual: JsonValue | undefined;
        try {
          actual = get(doc, o.path);
        } catch {
          actual = undefined;
        }
        if (!deepEqual(actual, o.value))
          throw new JsonPatchApplyError(`testing value ${o.path} failed: test failed`);
        break;
      }
      default:
        throw new JsonPatchApplyError(`Unexpected kind: ${o.op}`);
    }
  }
  return doc;
}

export { deepEqual };
