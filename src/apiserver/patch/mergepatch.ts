// RFC 7386 JSON merge patch: objects merge, null deletes, anything else replaces.
import { isPlainObject } from '../types/model.js';
import type { JsonValue } from '../types/model.js';

export function applyMergePatch(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (!isPlainObject(patch)) return structuredClone(patch);
  const result: { [k: string]: JsonValue } = isPlainObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete result[k];
    else result[k] = applyMergePatch(result[k], v);
  }
  return result;
}
