// ObjectMeta validation (apimachinery's ValidateObjectMeta / ValidateObjectMetaUpdate).
import { GoRepr, forbidden, invalid, required, tooLong } from '../fielderrors.js';
import type { FieldError } from '../fielderrors.js';
import type { JsonObject, JsonValue } from '../types/model.js';
import { isDNS1123Label, isQualifiedName, isValidLabelValue } from './names.js';
import type { NameValidator } from './names.js';

const TOTAL_ANNOTATION_SIZE = 256 * 1024;

type Meta = JsonObject;
const s = (v: JsonValue | undefined): string => (typeof v === 'string' ? v : '');
const strMap = (v: JsonValue | undefined): Record<string, string> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, string>) : {};

export function validateLabels(labels: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    for (const m of isQualifiedName(k)) errs.push(invalid(path, k, m));
    for (const m of isValidLabelValue(v)) errs.push(invalid(path, v, m));
  }
  return errs;
}

export function validateAnnotations(ann: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(ann ?? {})) {
    for (const m of isQualifiedName(k.toLowerCase())) errs.push(invalid(path, k, m));
    size += Buffer.byteLength(k) + Buffer.byteLength(v);
  }
  if (size > TOTAL_ANNOTATION_SIZE) errs.push(tooLong(path, TOTAL_ANNOTATION_SIZE));
  return errs;
}

function validateOwnerReferences(refs: JsonValue | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!Array.isArray(refs)) return errs;
  let controllers = 0;
  refs.forEach((r) => {
    const ref = r as JsonObject;
    const gv = s(ref.apiVersion);
    if (!gv) errs.push(invalid(`${path}.apiVersion`, gv, 'version must not be empty'));
    if (!s(ref.kind)) errs.push(invalid(`${path}.kind`, s(ref.kind), 'kind must not be empty'));
    if (!s(ref.name)) errs.push(invalid(`${path}.name`, s(ref.name), 'name must not be empty'));
    if (!s(ref.uid)) errs.push(invalid(`${path}.uid`, s(ref.uid), 'uid must not be empty'));
    if (ref.controller === true) controllers++;
  });
  if (controllers > 1)
    errs.push(invalid(path, new GoRepr('[...]'), 'Only one reference can have Controller set to true'));
  return errs;
}

function validateFinalizers(fin: JsonValue | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!Array.isArray(fin)) return errs;
  for (const f of fin) for (const m of isQualifiedName(s(f))) errs.push(invalid(path, s(f), m));
  if (fin.includes('orphan') && fin.includes('foregroundDeletion'))
    errs.push(
      invalid(
        path,
        new GoRepr(`[]string{${fin.map((x) => JSON.stringify(x)).join(', ')}}`),
        'finalizer orphan and foregroundDeletion cannot be both set',
      ),
    );
  return errs;
}

export function validateObjectMeta(
  meta: Meta,
  namespaced: boolean,
  nameFn: NameValidator,
  path = 'metadata',
): FieldError[] {
  const errs: FieldError[] = [];
  const generateName = s(meta.generateName);
  if (generateName)
    for (const m of nameFn(generateName, true)) errs.push(invalid(`${path}.generateName`, generateName, m));
  const name = s(meta.name);
  if (!name) errs.push(required(`${path}.name`, 'name or generateName is required'));
  else for (const m of nameFn(name, false)) errs.push(invalid(`${path}.name`, name, m));
  const ns = s(meta.namespace);
  if (namespaced) {
    if (!ns) errs.push(required(`${path}.namespace`));
    else for (const m of isDNS1123Label(ns)) errs.push(invalid(`${path}.namespace`, ns, m));
  } else if (ns) errs.push(forbidden(`${path}.namespace`, 'not allowed on this type'));
  const gen = meta.generation;
  if (typeof gen === 'number' && gen < 0)
    errs.push(invalid(`${path}.generation`, gen, 'must be greater than or equal to 0'));
  errs.push(...validateLabels(strMap(meta.labels), `${path}.labels`));
  errs.push(...validateAnnotations(strMap(meta.annotations), `${path}.annotations`));
  errs.push(...validateOwnerReferences(meta.ownerReferences, `${path}.ownerReferences`));
  errs.push(...validateFinalizers(meta.finalizers, `${path}.finalizers`));
  return errs;
}

function immutable(newV: JsonValue | undefined, oldV: JsonValue | undefined, path: string): FieldError[] {
  if (JSON.stringify(newV ?? null) === JSON.stringify(oldV ?? null)) return [];
  const shown =
    typeof newV === 'string' || typeof newV === 'number' ? newV : new GoRepr(JSON.stringify(newV ?? null));
  return [invalid(path, shown, 'field is immutable')];
}

export function validateObjectMetaUpdate(meta: Meta, old: Meta, path = 'metadata'): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...immutable(meta.name, old.name, `${path}.name`));
  errs.push(...immutable(meta.namespace, old.namespace, `${path}.namespace`));
  errs.push(...immutable(meta.uid, old.uid, `${path}.uid`));
  errs.push(...immutable(meta.creationTimestamp, old.creationTimestamp, `${path}.creationTimestamp`));
  errs.push(...immutable(meta.deletionTimestamp, old.deletionTimestamp, `${path}.deletionTimestamp`));
  errs.push(
    ...immutable(
      meta.deletionGracePeriodSeconds,
      old.deletionGracePeriodSeconds,
      `${path}.deletionGracePeriodSeconds`,
    ),
  );
  errs.push(...validateLabels(strMap(meta.labels), `${path}.labels`));
  errs.push(...validateAnnotations(strMap(meta.annotations), `${path}.annotations`));
  errs.push(...validateOwnerReferences(meta.ownerReferences, `${path}.ownerReferences`));
  errs.push(...validateFinalizers(meta.finalizers, `${path}.finalizers`));
  if (old.deletionTimestamp) {
    const oldF = new Set(Array.isArray(old.finalizers) ? old.finalizers.map(s) : []);
    const added = (Array.isArray(meta.finalizers) ? meta.finalizers.map(s) : []).filter((f) => !oldF.has(f));
    if (added.length)
      errs.push(
        forbidden(
          `${path}.finalizers`,
          `no new finalizers can be added if the object is being deleted, found new finalizers []string{${added
            .map((f) => JSON.stringify(f))
            .join(', ')}}`,
        ),
      );
  }
  return errs;
}
