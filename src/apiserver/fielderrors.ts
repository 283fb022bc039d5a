// Field errors as apimachinery's field.Error renders them: the text of each cause and of the
// aggregated 422 message is what clients (and people) read, so it follows Go's wording exactly.
import { goQuote } from './gotime.js';

export type FieldErrorType =
  | 'FieldValueInvalid'
  | 'FieldValueRequired'
  | 'FieldValueNotSupported'
  | 'FieldValueDuplicate'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueNotFound'
  | 'InternalError';

/** A bad value as Go would print it; `GoRepr` carries a ready-made `%#v` rendering. */
export type BadValue = string | number | boolean | null | GoRepr;
export class GoRepr {
  constructor(readonly text: string) {}
}

export interface FieldError {
  type: FieldErrorType;
  field: string;
  value?: BadValue;
  detail: string;
  /** a cause rendered elsewhere (the schema module): used as the body verbatim */
  body?: string;
}

const TYPE_TEXT: Record<FieldErrorType, string> = {
  FieldValueInvalid: 'Invalid value',
  FieldValueRequired: 'Required value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  FieldValueNotFound: 'Not found',
  InternalError: 'Internal error',
};

export function renderValue(v: BadValue): string {
  if (v instanceof GoRepr) return v.text;
  // Go turns a nil value into the string "null" before quoting it.
  if (v === null) return '"null"';
  if (typeof v === 'string') return goQuote(v);
  return String(v);
}

/** field.Error.ErrorBody */
export function errorBody(e: FieldError): string {
  if (e.body !== undefined) return e.body;
  let s = TYPE_TEXT[e.type];
  const valueless =
    e.type === 'FieldValueRequired' ||
    e.type === 'FieldValueForbidden' ||
    e.type === 'FieldValueTooLong' ||
    e.type === 'InternalError' ||
    e.value === undefined;
  if (!valueless) s += `: ${renderValue(e.value as BadValue)}`;
  if (e.detail) s += `: ${e.detail}`;
  return s;
}

export function errorString(e: FieldError): string {
  return `${e.field || '<nil>'}: ${errorBody(e)}`;
}

/** A cause from the schema module as a FieldError. */
export function fromCause(c: { reason: string; message: string; field: string }): FieldError {
  return { type: c.reason as FieldErrorType, field: c.field, detail: '', body: c.message };
}

export const invalid = (field: string, value: BadValue, detail: string): FieldError => ({
  type: 'FieldValueInvalid',
  field,
  value,
  detail,
});
export const required = (field: string, detail = ''): FieldError => ({
  type: 'FieldValueRequired',
  field,
  detail,
});
export const forbidden = (field: string, detail: string): FieldError => ({
  type: 'FieldValueForbidden',
  field,
  detail,
});
export const duplicate = (field: string, value: BadValue): FieldError => ({
  type: 'FieldValueDuplicate',
  field,
  value,
  detail: '',
});
export const notSupported = (field: string, value: BadValue, supported: string[]): FieldError => ({
  type: 'FieldValueNotSupported',
  field,
  value,
  detail: supported.length ? 'supported values: ' + supported.map((s) => goQuote(s)).join(', ') : '',
});
export const tooLong = (field: string, max: number): FieldError => ({
  type: 'FieldValueTooLong',
  field,
  detail: `must have at most ${max} bytes`,
});
export const tooMany = (field: string, actual: number, max: number): FieldError => ({
  type: 'FieldValueTooMany',
  field,
  value: actual,
  detail: `must have at most ${max} items`,
});
export const notFound = (field: string, value: BadValue): FieldError => ({
  type: 'FieldValueNotFound',
  field,
  value,
  detail: '',
});

/** ErrorList.ToAggregate().Error(): duplicates dropped, brackets only for more than one. */
export function aggregate(errs: FieldError[]): string {
  const seen = new Set<string>();
  const msgs: string[] = [];
  for (const e of errs) {
    const s = errorString(e);
    if (!seen.has(s)) {
      seen.add(s);
      msgs.push(s);
    }
  }
  if (msgs.length === 1) return msgs[0] ?? '';
  return `[${msgs.join(', ')}]`;
}
