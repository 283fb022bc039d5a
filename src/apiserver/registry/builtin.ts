// Building blocks for built-in resources: a typed codec over the Go model, and a constructor
// that fills the Resource fields every built-in shares.
import { createHash } from 'node:crypto';
import { canonical, decodeObject } from '../types/codec.js';
import type { JsonObject, TypeRef } from '../types/model.js';
import type { ObjectStore } from '../storage/store.js';
import type { Codec, Resource, Strategy, Subresource, Verb } from './types.js';
import { ALL_VERBS } from './types.js';

export function typedCodec(
  t: TypeRef,
  kind: string,
  apiVersion: string,
  defaults?: (o: JsonObject) => void,
): Codec {
  const stamp = (o: JsonObject): JsonObject => {
    o.kind = kind;
    o.apiVersion = apiVersion;
    return canonical(o, t);
  };
  return {
    decode(raw) {
      const { value, unknown } = decodeObject(raw, t);
      defaults?.(value);
      return { obj: stamp(value), unknown };
    },
    canonicalStorage: (o) => stamp(o),
    toStorage: (o) => o,
    fromStorage: (o) => o,
    bookmark: (rv) => stamp({ metadata: { resourceVersion: String(rv) } }),
  };
}

/** discovery.StorageVersionHash: base64 of the first 8 bytes of sha256("group/version/Kind"). */
export function storageVersionHash(group: string, version: string, kind: string): string {
  return createHash('sha256')
    .update(`${group}/${version}/${kind}`)
    .digest()
    .subarray(0, 8)
    .toString('base64');
}

export interface BuiltinSpec {
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs?: Verb[];
  subresources?: Subresource[];
  store: ObjectStore;
  type: TypeRef;
  strategy: Strategy;
  defaults?: (o: JsonObject) => void;
  fieldLabels?: string[];
  fieldSet?: (o: JsonObject) => Record<string, string>;
  allowCreateOnUpdate?: boolean;
  allowUnconditionalUpdate?: boolean;
  returnDeletedObject?: boolean;
  codec?: Codec;
  qualifiedResource?: { group: string; name: string };
  qualifiedKind?: { group: string; name: string };
  deleteHook?: Resource['deleteHook'];
  canFinalize?: Resource['canFinalize'];
}

export function builtin(s: BuiltinSpec): Resource {
  const apiVersion = s.group ? `${s.group}/${s.version}` : s.version;
  const codec = s.codec ?? typedCodec(s.type, s.kind, apiVersion, s.defaults);
  const r: Resource = {
    group: s.group,
    version: s.version,
    plural: s.plural,
    singular: s.singular,
    kind: s.kind,
    listKind: `${s.kind}List`,
    namespaced: s.namespaced,
    shortNames: s.shortNames ?? [],
    categories: s.categories ?? [],
    verbs: s.verbs ?? ALL_VERBS,
    subresources: s.subresources ?? [],
    store: s.store,
    qualifiedResource: s.qualifiedResource ?? { group: s.group, name: s.plural },
    qualifiedKind: s.qualifiedKind ?? { group: s.group, name: s.kind },
    type: s.type,
    codec,
    strategy: s.strategy,
    fieldLabels: s.fieldLabels ?? [],
    fieldSet: s.fieldSet ?? ((): Record<string, string> => ({})),
    allowCreateOnUpdate: s.allowCreateOnUpdate ?? false,
    allowUnconditionalUpdate: s.allowUnconditionalUpdate ?? true,
    returnDeletedObject: s.returnDeletedObject ?? false,
    unstructured: false,
    storageIsView: s.codec === undefined,
    storageVersionHash: storageVersionHash(s.group, s.version, s.kind),
  };
  if (s.deleteHook) r.deleteHook = s.deleteHook;
  if (s.canFinalize) r.canFinalize = s.canFinalize;
  return r;
}

export const obj = (v: unknown): JsonObject =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as JsonObject) : {};
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const text = (v: unknown): string => (typeof v === 'string' ? v : '');
