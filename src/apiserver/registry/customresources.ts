// Custom resources served from a CRD: unstructured objects pruned, defaulted and validated by the
// schema module, keys sorted like the real server writes them, status dropped from creates and
// main-resource writes when the status subresource is on, generation counting spec changes.
import { fromCause } from '../fielderrors.js';
import type { FieldError } from '../fielderrors.js';
import { pruneAndDefault, validate } from '../schema/index.js';
import type { CompiledSchema } from '../schema/index.js';
import type { ObjectStore } from '../storage/store.js';
import { decodeObject, DecodeError } from '../types/codec.js';
import { ObjectMeta } from '../types/meta.js';
import { isPlainObject } from '../types/model.js';
import type { JsonObject, JsonValue } from '../types/model.js';
import { validateObjectMeta } from '../validation/meta.js';
import { nameIsDNSSubdomain } from '../validation/names.js';
import { obj, storageVersionHash } from './builtin.js';
import type { Codec, PrinterColumn, Resource } from './types.js';
import { ALL_VERBS } from './types.js';

export interface CustomResourceSpec {
  group: string;
  version: string;
  storageVersion: string;
  plural: string;
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  schema: CompiledSchema | undefined;
  statusSubresource: boolean;
  selectableFields: string[];
  printerColumns: PrinterColumn[];
  store: ObjectStore;
}

/** Go's encoding of map[string]interface{}: keys sorted at every level. */
export function sortKeys(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (isPlainObject(v)) {
    const out: JsonObject = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys(v[k] as JsonValue);
    return out;
  }
  return v;
}

/** Paths present in `input` but gone from `pruned`: the unknown fields the schema dropped. */
function prunedPaths(input: JsonValue, pruned: JsonValue | undefined, path: string, out: string[]): void {
  if (isPlainObject(input)) {
    if (!isPlainObject(pruned)) return;
    for (const [k, v] of Object.entries(input)) {
      if (path === '' && (k === 'metadata' || k === 'apiVersion' || k === 'kind')) continue;
      const p = path ? `${path}.${k}` : k;
      if (!(k in pruned)) {
        if (v !== null) out.push(p);
      } else prunedPaths(v, pruned[k], p, out);
    }
  } else if (Array.isArray(input) && Array.isArray(pruned)) {
    input.forEach((v, i) => prunedPaths(v, pruned[i], `${path}[${i}]`, out));
  }
}

/** metadata as ObjectMeta (unknown metadata fields dropped), written with sorted keys. */
function normalizeMeta(o: JsonObject): { obj: JsonObject; unknown: string[] } {
  const { value, unknown } = decodeObject(o.metadata ?? {}, ObjectMeta);
  return { obj: { ...o, metadata: sortKeys(value) }, unknown: unknown.map((u) => `metadata.${u}`) };
}

function withoutMetaAndStatus(o: JsonObject, dropStatus: boolean): string {
  const rest: JsonObject = {};
  for (const [k, v] of Object.entries(o)) {
    if (k === 'metadata' || (dropStatus && k === 'status')) continue;
    rest[k] = v;
  }
  return JSON.stringify(rest);
}

function lookupPath(o: JsonObject, jsonPath: string): string | undefined {
  let cur: JsonValue | undefined = o;
  for (const seg of jsonPath.replace(/^\./, '').split('.')) {
    if (!isPlainObject(cur)) return undefined;
    cur = cur[seg];
  }
  if (typeof cur === 'string') return cur;
  if (typeof cur === 'number' || typeof cur === 'boolean') return String(cur);
  return undefined;
}

export function customResource(s: CustomResourceSpec): Resource {
  const apiVersion = `${s.group}/${s.version}`;
  const storageApiVersion = `${s.group}/${s.storageVersion}`;
  const finish = (o: JsonObject): JsonObject => {
    const pruned = s.schema ? (pruneAndDefault(s.schema, o) as JsonObject) : o;
    return sortKeys(normalizeMeta(pruned).obj) as JsonObject;
  };
  const codec: Codec = {
    decode(raw) {
      if (!isPlainObject(raw))
        throw new DecodeError('json: cannot unmarshal into Go value of type map[string]interface {}');
      const meta = normalizeMeta({ ...raw, apiVersion, kind: s.kind });
      const pruned = s.schema ? (pruneAndDefault(s.schema, meta.obj) as JsonObject) : meta.obj;
      const unknown: string[] = [...meta.unknown];
      prunedPaths(raw, pruned, '', unknown);
      return { obj: sortKeys(pruned) as JsonObject, unknown };
    },
    canonicalStorage: (o) => finish({ ...o, apiVersion: storageApiVersion }),
    toStorage: (o) => ({ ...o, apiVersion: storageApiVersion }),
    fromStorage: (o) => sortKeys({ ...o, apiVersion }) as JsonObject,
    bookmark: (rv) => ({ apiVersion, kind: s.kind, metadata: { resourceVersion: String(rv) } }),
  };
  const validateBody = (o: JsonObject, old: JsonObject | undefined): FieldError[] => {
    if (!s.schema) return [];
    return validate(s.schema, o, old).map(fromCause);
  };
  const selectable = s.selectableFields.map((p) => p.replace(/^\./, ''));
  return {
    group: s.group,
    version: s.version,
    plural: s.plural,
    singular: s.singular,
    kind: s.kind,
    listKind: s.listKind,
    namespaced: s.namespaced,
    shortNames: s.shortNames,
    categories: s.categories,
    verbs: ALL_VERBS,
    subresources: s.statusSubresource ? ['status'] : [],
    store: s.store,
    qualifiedResource: { group: s.group, name: s.plural },
    qualifiedKind: { group: s.group, name: s.kind },
    type: undefined,
    codec,
    strategy: {
      prepareForCreate(o) {
        if (s.statusSubresource) delete o.status;
        obj(o.metadata).generation = 1;
      },
      prepareForUpdate(o, old) {
        if (s.statusSubresource) {
          if (old.status !== undefined) o.status = structuredClone(old.status);
          else delete o.status;
        }
        const m = obj(o.metadata);
        const gen =
          typeof obj(old.metadata).generation === 'number' ? (obj(old.metadata).generation as number) : 1;
        m.generation =
          withoutMetaAndStatus(sortKeys(o) as JsonObject, s.statusSubresource) !==
          withoutMetaAndStatus(sortKeys(old) as JsonObject, s.statusSubresource)
            ? gen + 1
            : gen;
      },
      prepareForStatusUpdate(o, old) {
        const status = o.status;
        for (const k of Object.keys(o)) delete o[k];
        Object.assign(o, structuredClone(old));
        if (status !== undefined) o.status = status;
        else delete o.status;
      },
      validate: (o) => [
        ...validateObjectMeta(obj(o.metadata), s.namespaced, nameIsDNSSubdomain),
        ...validateBody(o, undefined),
      ],
      validateUpdate: (o, old) => validateBody(o, old),
    },
    fieldLabels: selectable,
    fieldSet(o) {
      const out: Record<string, string> = {};
      for (const p of selectable) out[p] = lookupPath(o, p) ?? '';
      return out;
    },
    allowCreateOnUpdate: false,
    allowUnconditionalUpdate: false,
    returnDeletedObject: false,
    unstructured: true,
    storageIsView: s.version === s.storageVersion,
    storageVersionHash: storageVersionHash(s.group, s.storageVersion, s.kind),
    printerColumns: s.printerColumns,
  };
}
