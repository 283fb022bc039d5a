// field.Path and field.Error as k8s.io/apimachinery/pkg/util/validation/field renders them. A cause's
// message is the error's ErrorBody(): "<type>: <value>: <detail>" with the value omitted for some types.
import { goQuote, goSharpV, goV } from './gofmt.js';

export interface FieldCause {
  reason: string;
  message: string;
  field: string;
}

/** Immutable field path; String() as field.Path prints it (a.b[0][key]). */
export class Path {
  private constructor(private readonly text: string) {}

  static root(): Path {
    return new Path('');
  }

  static of(text: string): Path {
    return new Path(text);
  }

  child(name: string): Path {
    return new Path(this.text === '' ? name : this.text + '.' + name);
  }

  index(i: number): Path {
    return new Path(this.text + '[' + String(i) + ']');
  }

  key(k: string): Path {
    return new Path(this.text + '[' + k + ']');
  }

  toString(): string {
    return this.text;
  }
}

function renderValue(value: unknown): string {
  // ErrorBody: nil prints as the string "null"; simple types with %v, strings with %q, others %#v.
  if (value === null || value === undefined) return goQuote('null');
  if (typeof value === 'string') return goQuote(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return goV(value);
  return goSharpV(value);
}

function body(typeText: string, value: unknown, withValue: boolean, detail: string): string {
  let s = withValue ? typeText + ': ' + renderValue(value) : typeText;
  if (detail.length > 0) s += ': ' + detail;
  return s;
}

export function invalid(path: Path, value: unknown, detail: string): FieldCause {
  return {
    reason: 'FieldValueInvalid',
    message: body('Invalid value', value, true, detail),
    field: path.toString(),
  };
}

export function required(path: Path, detail: string): FieldCause {
  return {
    reason: 'FieldValueRequired',
    message: body('Required value', null, false, detail),
    field: path.toString(),
  };
}

export function forbidden(path: Path, detail: string): FieldCause {
  return {
    reason: 'FieldValueForbidden',
    message: body('Forbidden', null, false, detail),
    field: path.toString(),
  };
}

export function duplicate(path: Path, value: unknown): FieldCause {
  return {
    reason: 'FieldValueDuplicate',
    message: body('Duplicate value', value, true, ''),
    field: path.toString(),
  };
}

export function internalError(path: Path, detail: string): FieldCause {
  return {
    reason: 'InternalError',
    message: body('Internal error', null, false, detail),
    field: path.toString(),
  };
}

/** field.NotSupported: detail lists the quoted supported values. */
export function notSupported(path: Path, value: unknown, validValues: readonly string[]): FieldCause {
  const detail = validValues.length > 0 ? 'supported values: ' + validValues.map(goQuote).join(', ') : '';
  return {
    reason: 'FieldValueNotSupported',
    message: body('Unsupported value', value, true, detail),
    field: path.toString(),
  };
}

/** "field: body", the string field.Error.Error() returns (used to sort structural errors). */
export function errorString(c: FieldCause): string {
  return c.field + ': ' + c.message;
}
