// kind:Status errors with the reasons, codes, messages and details kube-apiserver uses.
import { aggregate, errorBody } from './fielderrors.js';
import type { FieldError } from './fielderrors.js';

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}
export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}
export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: { continue?: string };
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code?: number;
}

/** A group+resource (or group+kind) pair; `toString` is `resource.group` as Go prints it. */
export interface GroupName {
  group: string;
  name: string;
}
export const qualified = (g: GroupName): string => (g.group ? `${g.name}.${g.group}` : g.name);

export class StatusError extends Error {
  readonly headers: Record<string, string> = {};
  constructor(readonly status: Status) {
    super(status.message ?? status.reason ?? 'error');
  }
  get code(): number {
    return this.status.code ?? 500;
  }
}

function failure(
  code: number,
  reason: string,
  message: string,
  details?: StatusDetails,
  metadata: Status['metadata'] = {},
): StatusError {
  const st: Status = { kind: 'Status', apiVersion: 'v1', metadata, status: 'Failure', message, reason };
  if (details) st.details = details;
  st.code = code;
  return new StatusError(st);
}

function details(gr: GroupName, name: string): StatusDetails {
  const d: StatusDetails = {};
  if (name) d.name = name;
  if (gr.group) d.group = gr.group;
  d.kind = gr.name;
  return d;
}

export const notFound = (gr: GroupName, name: string): StatusError =>
  failure(404, 'NotFound', `${qualified(gr)} "${name}" not found`, details(gr, name));

export const alreadyExists = (gr: GroupName, name: string): StatusError =>
  failure(409, 'AlreadyExists', `${qualified(gr)} "${name}" already exists`, details(gr, name));

export const conflict = (gr: GroupName, name: string, why: string): StatusError =>
  failure(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualified(gr)} "${name}": ${why}`,
    details(gr, name),
  );

export const OPTIMISTIC_LOCK =
  'the object has been modified; please apply your changes to the latest version and try again';

/** 422 Invalid; `kind` is a Kind for type validation and a resource for store checks. */
export function invalid(gk: GroupName, name: string, errs: FieldError[]): StatusError {
  const d = details(gk, name);
  d.causes = errs.map((e) => ({ reason: e.type, message: errorBody(e), field: e.field }));
  const msg = errs.length
    ? `${qualified(gk)} "${name}" is invalid: ${aggregate(errs)}`
    : `${qualified(gk)} "${name}" is invalid`;
  return failure(422, 'Invalid', msg, d);
}

export const badRequest = (message: string): StatusError => failure(400, 'BadRequest', message);

export const forbidden = (gr: GroupName, name: string, why: string, causes?: StatusCause[]): StatusError => {
  const d = details(gr, name);
  if (causes) d.causes = causes;
  const subject = name ? `${qualified(gr)} "${name}"` : qualified(gr);
  return failure(403, 'Forbidden', `${subject} is forbidden: ${why}`, d);
};

export const expired = (message: string, cont?: string): StatusError =>
  failure(410, 'Expired', message, undefined, cont !== undefined ? { continue: cont } : {});

export const methodNotAllowed = (): StatusError =>
  failure(405, 'MethodNotAllowed', '405: Method Not Allowed', {});

export const unsupportedMediaType = (
  message = '415: Unsupported Media Type',
  withDetails = true,
): StatusError => failure(415, 'UnsupportedMediaType', message, withDetails ? {} : undefined);

export const notAcceptable = (): StatusError => failure(406, 'NotAcceptable', '406: Not Acceptable', {});

export const unauthorized = (): StatusError => failure(401, 'Unauthorized', 'Unauthorized');

export function internalError(why: string): StatusError {
  return failure(500, 'InternalError', `Internal error occurred: ${why}`, { causes: [{ message: why }] });
}

export function tooManyRequests(retryAfter = 1): StatusError {
  const e = failure(429, 'TooManyRequests', 'Too many requests, please try again later.', {
    retryAfterSeconds: retryAfter,
  });
  e.headers['retry-after'] = String(retryAfter);
  return e;
}

export const serviceUnavailable = (
  message = 'the server is currently unable to handle the request',
): StatusError => failure(503, 'ServiceUnavailable', message);

export function timeout(message: string, retryAfter: number, causes?: StatusCause[]): StatusError {
  const d: StatusDetails = {};
  if (causes) d.causes = causes;
  if (retryAfter) d.retryAfterSeconds = retryAfter;
  return failure(504, 'Timeout', message, d);
}

export function tooLargeResourceVersion(requested: number, current: number): StatusError {
  return timeout(`Too large resource version: ${requested}, current: ${current}`, 1, [
    { reason: 'ResourceVersionTooLarge', message: 'Too large resource version' },
  ]);
}

/** JSON patch application failures: apierrors.NewGenericServerResponse(422, ...) */
export const genericUnprocessable = (): StatusError =>
  failure(422, 'Invalid', 'the server rejected our request due to an error in our request', {});

/** A proper Status for an arbitrary code, used by fault injection. */
export function forCode(code: number, message?: string): StatusError {
  switch (code) {
    case 400:
      return badRequest(message ?? 'injected fault');
    case 401:
      return unauthorized();
    case 403:
      return failure(403, 'Forbidden', message ?? 'forbidden: injected fault', {});
    case 404:
      return failure(404, 'NotFound', message ?? 'the server could not find the requested resource', {});
    case 409:
      return failure(409, 'Conflict', message ?? `Operation cannot be fulfilled: ${OPTIMISTIC_LOCK}`, {});
    case 410:
      return expired(message ?? 'too old resource version');
    case 422:
      return genericUnprocessable();
    case 429:
      return tooManyRequests();
    case 503:
      return serviceUnavailable(message);
    case 504:
      return timeout(message ?? 'the server was unable to return a response in the time allotted', 1);
    case 500:
      return internalError(message ?? 'injected fault');
    default:
      return failure(code, 'Unknown', message ?? `the server responded with the status code ${code}`, {});
  }
}

export function successStatus(d: StatusDetails): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: d };
}
