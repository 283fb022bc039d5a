// What the generic REST layer needs to know about one served resource. A Resource is one API
// view (group/version/plural); several views can share one storage (core and events.k8s.io
// Events), so strategies work on the storage form and codecs convert at the edge.
import type { GroupName } from '../errors.js';
import type { FieldError } from '../fielderrors.js';
import type { ObjectStore } from '../storage/store.js';
import type { JsonObject, JsonValue, TypeRef } from '../types/model.js';

export type Verb = 'create' | 'delete' | 'deletecollection' | 'get' | 'list' | 'patch' | 'update' | 'watch';
export const ALL_VERBS: Verb[] = [
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
  'watch',
];
export const NO_COLLECTION_DELETE: Verb[] = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

export type Subresource = '' | 'status' | 'finalize';

export interface OpContext {
  now: number;
  /** managedFields manager: ?fieldManager=, else the User-Agent's product, else "unknown" */
  manager: string;
  subresource: Subresource;
  dryRun: boolean;
  /** apiVersion the client used, e.g. "v1" or "events.k8s.io/v1" */
  requestVersion: string;
  warnings: string[];
}

/** Undo for an allocation made before validation (clusterIP, nodePorts). */
export type Finish = (success: boolean) => void;

export interface Strategy {
  prepareForCreate?(obj: JsonObject, ctx: OpContext): void;
  /** main resource: keep status, bump generation, ... */
  prepareForUpdate?(obj: JsonObject, old: JsonObject, ctx: OpContext): void;
  /** /status: keep spec (built-ins default to that when absent) */
  prepareForStatusUpdate?(obj: JsonObject, old: JsonObject, ctx: OpContext): void;
  /** namespaces/finalize: only spec.finalizers changes */
  prepareForFinalize?(obj: JsonObject, old: JsonObject, ctx: OpContext): void;
  validate(obj: JsonObject, ctx: OpContext): FieldError[];
  validateUpdate(obj: JsonObject, old: JsonObject, ctx: OpContext): FieldError[];
  validateStatusUpdate?(obj: JsonObject, old: JsonObject, ctx: OpContext): FieldError[];
  /** mutating admission run before the store (TaintNodesByCondition, ...) */
  admitCreate?(obj: JsonObject, ctx: OpContext): void;
  beginCreate?(obj: JsonObject, ctx: OpContext): Finish;
  beginUpdate?(obj: JsonObject, old: JsonObject, ctx: OpContext): Finish;
  afterDelete?(obj: JsonObject): void;
  /** extra warnings on create/update (deprecated fields and such) */
  warnings?(obj: JsonObject, old: JsonObject | undefined): string[];
}

export interface Codec {
  /** request body → canonical view object with defaults; throws DecodeError for a 400 */
  decode(raw: JsonValue, ctx: OpContext): { obj: JsonObject; unknown: string[] };
  /** after server-side mutation: back to canonical storage form */
  canonicalStorage(obj: JsonObject): JsonObject;
  toStorage(view: JsonObject): JsonObject;
  fromStorage(stored: JsonObject): JsonObject;
  /** an empty object of this kind carrying only a resourceVersion */
  bookmark(rv: number): JsonObject;
}

export interface Resource {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly singular: string;
  readonly kind: string;
  readonly listKind: string;
  readonly namespaced: boolean;
  readonly shortNames: string[];
  readonly categories: string[];
  readonly verbs: Verb[];
  readonly subresources: Subresource[];
  readonly store: ObjectStore;
  /** for NotFound/Conflict/AlreadyExists: the storage's resource (events stay "events") */
  readonly qualifiedResource: GroupName;
  /** for Invalid: the kind being validated */
  readonly qualifiedKind: GroupName;
  /** the Go model (built-ins): enables strategic merge patch and typed managedFields */
  readonly type: TypeRef | undefined;
  readonly codec: Codec;
  readonly strategy: Strategy;
  /** field selector labels beyond metadata.name and metadata.namespace */
  readonly fieldLabels: readonly string[];
  fieldSet(obj: JsonObject): Record<string, string>;
  readonly allowCreateOnUpdate: boolean;
  readonly allowUnconditionalUpdate: boolean;
  readonly returnDeletedObject: boolean;
  /** custom resources: lists carry item kind/apiVersion and `continue: ""`; keys sorted */
  readonly unstructured: boolean;
  /** true when reads through this view are the stored objects as is */
  readonly storageIsView: boolean;
  /** graceful deletion is handled by a custom hook (namespaces, CRDs) */
  deleteHook?(obj: JsonObject, ctx: OpContext): JsonObject | 'delete';
  /** extra condition for deleting during update (namespaces also need spec.finalizers empty) */
  canFinalize?(obj: JsonObject): boolean;
  readonly storageVersionHash: string;
  /** a CRD version's additionalPrinterColumns, for Table answers */
  readonly printerColumns?: PrinterColumn[];
}

export interface PrinterColumn {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

export const apiVersionOf = (r: { group: string; version: string }): string =>
  r.group ? `${r.group}/${r.version}` : r.version;
