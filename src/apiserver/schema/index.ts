// Structural schemas for custom resources: CRD-time schema checks and CEL compilation, write-time
// pruning and defaulting, and OpenAPI + x-kubernetes-validations validation with the causes and
// messages a Kubernetes 1.24 API server returns. Nothing here throws: malformed schemas and hostile
// objects come back as causes.
import { checkCrdSchema } from './crd.js';
import { errorString, internalError, invalid, Path, type FieldCause } from './field.js';
import { copySorted, exceedsDepth, isObject, MAX_DATA_DEPTH } from './json.js';
import { validateListSetsAndMaps } from './listtype.js';
import { decodeSchema, type SchemaNode } from './node.js';
import { validateOpenAPI } from './openapi.js';
import { applyDefaults, pruneCopy, pruneNonNullableNulls } from './prune.js';
import { validateRules } from './celvalidate.js';

export type { FieldCause } from './field.js';
export { goFloat, goQuote, goSharpV } from './gofmt.js';
export { CEL_TIME_LIMIT_MS, PER_CALL_COST_LIMIT, RUNTIME_COST_BUDGET } from './celvalidate.js';
export { MAX_DATA_DEPTH } from './json.js';
export { MAX_SCHEMA_DEPTH } from './node.js';

const brand: unique symbol = Symbol('CompiledSchema');

/** A schema accepted by compileSchema. Opaque to callers. */
export interface CompiledSchema {
  readonly [brand]: SchemaNode;
}

export interface CompileSchemaOptions {
  /**
   * Field path of the schema inside the CRD, used in causes. Kubernetes reports schemas that are the
   * same for every version under spec.validation.openAPIV3Schema (the default); pass
   * `spec.versions[i].schema.openAPIV3Schema` when versions carry different schemas.
   */
  fieldPath?: string;
  /** Set when the version enables the status subresource: only some keywords may then sit at the root. */
  statusSubresource?: boolean;
}

export type CompileSchemaResult =
  | { ok: true; schema: CompiledSchema }
  /** `badRequest` is set when the schema does not even decode (the real server answers 400, not 422). */
  | { ok: false; causes: FieldCause[]; badRequest?: string };

export function compileSchema(
  openAPIV3Schema: unknown,
  options: CompileSchemaOptions = {},
): CompileSchemaResult {
  const path = Path.of(options.fieldPath ?? 'spec.validation.openAPIV3Schema');
  try {
    if (openAPIV3Schema === undefined || openAPIV3Schema === null) {
      // v1 CRDs must carry a schema for every version.
      return {
        ok: false,
        causes: [
          {
            reason: 'FieldValueRequired',
            message: 'Required value: schemas are required',
            field: path.toString(),
          },
        ],
      };
    }
    const { node, errors } = decodeSchema(openAPIV3Schema);
    if (errors.length > 0) {
      const badRequest = errors[0] ?? 'invalid schema';
      return { ok: false, causes: [invalid(path, '', badRequest)], badRequest };
    }
    const causes = checkCrdSchema(node, openAPIV3Schema, {
      path,
      statusSubresource: options.statusSubresource === true,
    });
    if (causes.length > 0) return { ok: false, causes };
    return { ok: true, schema: { [brand]: node } };
  } catch (e) {
    return { ok: false, causes: [internalError(path, e instanceof Error ? e.message : String(e))] };
  }
}

/**
 * Returns a new object: unknown fields pruned (apiVersion, kind and metadata kept at the root and in
 * embedded resources; x-kubernetes-preserve-unknown-fields honoured), non-nullable nulls without a
 * default dropped, defaults applied (also where a patch removed a defaulted field), keys sorted the
 * way the API server serialises custom resources.
 */
export function pruneAndDefault(
  schema: CompiledSchema,
  obj: Record<string, unknown>,
): Record<string, unknown> {
  const root = schema[brand];
  try {
    const pruned = pruneCopy(obj, root, true);
    pruneNonNullableNulls(pruned, root);
    applyDefaults(pruned, root);
    const out = copySorted(pruned);
    return isObject(out) ? out : {};
  } catch {
    try {
      const out = copySorted(obj);
      return isObject(out) ? out : {};
    } catch {
      return {};
    }
  }
}

/**
 * Validates an object (after pruneAndDefault) and returns the causes in the order the real server
 * lists them: OpenAPI schema errors, list-type uniqueness errors, then CEL rule errors. On update,
 * pass the stored object as `old` so transition rules (those using oldSelf) run.
 */
export function validate(
  schema: CompiledSchema,
  obj: Record<string, unknown>,
  old?: Record<string, unknown>,
): FieldCause[] {
  const root = schema[brand];
  try {
    if (exceedsDepth(obj, MAX_DATA_DEPTH) || (old !== undefined && exceedsDepth(old, MAX_DATA_DEPTH))) {
      return [invalid(Path.root(), '', `object nesting exceeds the maximum depth of ${MAX_DATA_DEPTH}`)];
    }
    const causes: FieldCause[] = [];
    causes.push(...validateOpenAPI(root, obj, Path.root()));
    causes.push(...validateListSetsAndMaps(Path.root(), root, obj));
    causes.push(...validateRules(root, obj, old));
    return causes;
  } catch (e) {
    return [internalError(Path.root(), e instanceof Error ? e.message : String(e))];
  }
}

/**
 * The text Kubernetes puts after `<Kind> "<name>" is invalid: ` in a 422 Status message: one error
 * as is, several in brackets, duplicates removed (utilerrors aggregate formatting).
 */
export function causesMessage(causes: readonly FieldCause[]): string {
  const seen = new Set<string>();
  const msgs: string[] = [];
  for (const c of causes) {
    const s = errorString(c);
    if (seen.has(s)) continue;
    seen.add(s);
    msgs.push(s);
  }
  if (msgs.length === 1) return msgs[0] ?? '';
  return '[' + msgs.join(', ') + ']';
}
