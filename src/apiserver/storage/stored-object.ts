// One stored version of an object, shared by the store and the watch cache.
import type { JsonObject } from '../types/model.js';

export interface StoredObject {
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  /** the object as stored; shared, never mutated */
  readonly obj: JsonObject;
  /** `obj` serialised once */
  readonly json: string;
  readonly rv: number;
}
