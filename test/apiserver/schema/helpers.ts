// Shared helpers for the schema tests.
import {
  compileSchema,
  pruneAndDefault,
  validate,
  type CompiledSchema,
  type FieldCause,
} from '../../../src/apiserver/schema/index.js';

/** A root schema whose `spec` is the given object schema. */
export function specSchema(spec: Record<string, unknown>): Record<string, unknown> {
  return { type: 'object', properties: { spec: { type: 'object', ...spec } } };
}

export function mustCompile(schema: unknown): CompiledSchema {
  const r = compileSchema(schema);
  if (!r.ok) throw new Error('schema did not compile: ' + JSON.stringify(r.causes, null, 1));
  return r.schema;
}

export function compileCauses(schema: unknown, options?: Parameters<typeof compileSchema>[1]): FieldCause[] {
  const r = compileSchema(schema, options);
  return r.ok ? [] : r.causes;
}

/** Prunes/defaults then validates, as the API server does on create (or update with `old`). */
export function check(
  schema: unknown,
  obj: Record<string, unknown>,
  old?: Record<string, unknown>,
): FieldCause[] {
  const s = mustCompile(schema);
  const o = pruneAndDefault(s, obj);
  return validate(s, o, old === undefined ? undefined : pruneAndDefault(s, old));
}

export function inv(field: string, message: string): FieldCause {
  return { reason: 'FieldValueInvalid', message, field };
}
