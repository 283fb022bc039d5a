// Writing answers the way kube-apiserver does: JSON (or YAML when asked), `cache-control:
// no-cache, private`, Warning headers, and kind:Status bodies for errors.
import type { ServerResponse } from 'node:http';
import { dumpYaml } from '@kubernetes/client-node';
import { StatusError } from '../errors.js';
import type { Status } from '../errors.js';

export type Format = 'json' | 'yaml';

export interface Reply {
  res: ServerResponse;
  format: Format;
  pretty: boolean;
  warnings: string[];
}

function setCommon(r: Reply): void {
  r.res.setHeader('Cache-Control', 'no-cache, private');
  if (r.warnings.length)
    r.res.setHeader(
      'Warning',
      r.warnings.map((w) => `299 - ${JSON.stringify(w)}`),
    );
}

/** Sends an already serialised JSON document (or re-encodes it when YAML or pretty output is wanted). */
export function sendJsonText(
  r: Reply,
  status: number,
  json: string,
  extraHeaders: Record<string, string> = {},
): void {
  setCommon(r);
  for (const [k, v] of Object.entries(extraHeaders)) r.res.setHeader(k, v);
  let body = json;
  if (r.format === 'yaml') {
    body = dumpYaml(JSON.parse(json));
    r.res.setHeader('Content-Type', 'application/yaml');
  } else {
    if (r.pretty) body = JSON.stringify(JSON.parse(json), null, 2);
    r.res.setHeader('Content-Type', 'application/json');
  }
  // Go's JSON encoder ends the document with a newline.
  if (r.format === 'json' && !r.pretty) body += '\n';
  r.res.setHeader('Content-Length', Buffer.byteLength(body));
  r.res.statusCode = status;
  r.res.end(body);
}

export function sendObject(r: Reply, status: number, obj: unknown): void {
  sendJsonText(r, status, JSON.stringify(obj));
}

export function sendStatus(r: Reply, err: StatusError): void {
  sendJsonText(r, err.code, JSON.stringify(statusBody(err.status)), err.headers);
}

export function statusBody(st: Status): Record<string, unknown> {
  const out: Record<string, unknown> = {
    kind: st.kind,
    apiVersion: st.apiVersion,
    metadata: st.metadata,
    status: st.status,
  };
  if (st.message !== undefined) out.message = st.message;
  if (st.reason !== undefined) out.reason = st.reason;
  if (st.details !== undefined) out.details = st.details;
  if (st.code !== undefined) out.code = st.code;
  return out;
}

/** The mux's answer for paths nothing serves. */
export function sendNotFoundText(res: ServerResponse): void {
  res.statusCode = 404;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'no-cache, private');
  res.end('404 page not found\n');
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'no-cache, private');
  res.end(text);
}

export { StatusError };
