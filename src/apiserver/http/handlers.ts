// REST handlers for resource paths: verbs → registry calls, request bodies and options in,
// objects, lists and Status out.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { loadYaml } from '@kubernetes/client-node';
import { StatusError, badRequest, methodNotAllowed, successStatus, unsupportedMediaType } from '../errors.js';
import type { ListOptions } from '../registry/options.js';
import { parseListOptions } from '../registry/options.js';
import { meta } from '../registry/rest.js';
import type { DeleteOpts, FieldValidation, Registry, WriteResult } from '../registry/rest.js';
import { apiVersionOf } from '../registry/types.js';
import type { OpContext, Resource, Subresource } from '../registry/types.js';
import type { StoredObject } from '../storage/store.js';
import { isPlainObject } from '../types/model.js';
import type { JsonObject, JsonValue } from '../types/model.js';
import { ProtobufError, decodeProtobufObject, supportsProtobuf } from '../protobuf.js';
import { sendJsonText, sendObject } from './respond.js';
import type { Reply } from './respond.js';
import { table, wantsTable } from './table.js';
import type { IncludeObject } from './table.js';
import { serveWatch } from './watch.js';
import type { WatchRegistry } from './watch.js';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export interface Target {
  res: Resource;
  namespace: string;
  name: string;
  subresource: Subresource;
  /** /api/v1/watch/... legacy path */
  legacyWatch: boolean;
}

export interface HandlerDeps {
  registry: Registry;
  watches: WatchRegistry;
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_BODY_BYTES) {
      const e = new StatusError({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `Request entity too large: limit is ${MAX_BODY_BYTES}`,
        reason: 'RequestEntityTooLarge',
        code: 413,
      });
      throw e;
    }
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function parseBody(req: IncomingMessage, body: Buffer, res: Resource): JsonValue {
  const ct = mediaType(req) || 'application/json';
  if (ct === 'application/vnd.kubernetes.protobuf' && supportsProtobuf(apiVersionOf(res), res.kind)) {
    try {
      return decodeProtobufObject(body);
    } catch (e) {
      if (e instanceof ProtobufError) throw badRequest(e.message);
      throw e;
    }
  }
  const text = body.toString('utf8');
  if (ct === 'application/json' || ct === '*/*') {
    try {
      return JSON.parse(text) as JsonValue;
    } catch (e) {
      throw badRequest(`couldn't get version/kind; json parse error: ${(e as Error).message}`);
    }
  }
  if (ct === 'application/yaml') {
    try {
      return loadYaml<JsonValue>(text);
    } catch (e) {
      throw badRequest(`couldn't get version/kind; yaml parse error: ${(e as Error).message}`);
    }
  }
  throw unsupportedMediaType(
    `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`,
    false,
  );
}

function opContext(req: IncomingMessage, q: URLSearchParams, t: Target): OpContext {
  const ua = req.headers['user-agent'] ?? '';
  const fromUA = ua.split('/')[0] ?? '';
  const dry = q.getAll('dryRun');
  for (const d of dry) if (d !== 'All') throw badRequest(`Invalid dryRun value: ${d}`);
  return {
    now: Date.now(),
    manager: q.get('fieldManager') || fromUA || 'unknown',
    subresource: t.subresource,
    dryRun: dry.length > 0,
    requestVersion: apiVersionOf(t.res),
    warnings: [],
  };
}

function fieldValidation(q: URLSearchParams): FieldValidation {
  const v = q.get('fieldValidation');
  if (v === null || v === '' || v === 'Warn') return 'Warn';
  if (v === 'Ignore' || v === 'Strict') return v;
  throw badRequest(`fieldValidation parameter unsupported: ${v}`);
}

function viewJson(res: Resource, rec: StoredObject): string {
  return res.storageIsView ? rec.json : JSON.stringify(res.codec.fromStorage(rec.obj));
}

function resultJson(res: Resource, w: WriteResult): string {
  if (w.rec && res.storageIsView) return w.rec.json;
  return JSON.stringify(res.storageIsView ? w.obj : res.codec.fromStorage(w.obj));
}

/** List answers, assembled from the stored JSON without re-encoding each item. */
function listJson(
  res: Resource,
  items: StoredObject[],
  rv: number,
  cont?: string,
  remaining?: number,
): string {
  const apiVersion = apiVersionOf(res);
  const parts: string[] = [];
  if (res.unstructured) {
    for (const it of items) parts.push(viewJson(res, it));
    const m: JsonObject = {};
    m.continue = cont ?? '';
    if (remaining !== undefined) m.remainingItemCount = remaining;
    m.resourceVersion = String(rv);
    return `{"apiVersion":${JSON.stringify(apiVersion)},"items":[${parts.join(',')}],"kind":${JSON.stringify(res.listKind)},"metadata":${JSON.stringify(m)}}`;
  }
  const prefix = `{"kind":${JSON.stringify(res.kind)},"apiVersion":${JSON.stringify(apiVersion)},`;
  for (const it of items) {
    const j = viewJson(res, it);
    parts.push(j.startsWith(prefix) ? '{' + j.slice(prefix.length) : stripTypeMeta(j));
  }
  const m: JsonObject = { resourceVersion: String(rv) };
  if (cont) m.continue = cont;
  if (remaining !== undefined) m.remainingItemCount = remaining;
  return `{"kind":${JSON.stringify(res.listKind)},"apiVersion":${JSON.stringify(apiVersion)},"metadata":${JSON.stringify(m)},"items":[${parts.join(',')}]}`;
}

function stripTypeMeta(j: string): string {
  const o = JSON.parse(j) as JsonObject;
  delete o.kind;
  delete o.apiVersion;
  return JSON.stringify(o);
}

function deleteOptions(q: URLSearchParams, body: JsonValue | undefined): DeleteOpts {
  const opts: DeleteOpts = {};
  if (isPlainObject(body)) {
    if (typeof body.propagationPolicy === 'string') opts.propagationPolicy = body.propagationPolicy;
    if (typeof body.orphanDependents === 'boolean') opts.orphanDependents = body.orphanDependents;
    const pre = body.preconditions;
    if (isPlainObject(pre)) {
      opts.preconditions = {};
      if (typeof pre.uid === 'string') opts.preconditions.uid = pre.uid;
      if (typeof pre.resourceVersion === 'string') opts.preconditions.resourceVersion = pre.resourceVersion;
    }
  }
  const pp = q.get('propagationPolicy');
  if (pp) opts.propagationPolicy = pp;
  const od = q.get('orphanDependents');
  if (od !== null) opts.orphanDependents = od === 'true';
  if (opts.propagationPolicy && !['Orphan', 'Background', 'Foreground'].includes(opts.propagationPolicy))
    throw badRequest(
      `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${opts.propagationPolicy}": supported values: "Foreground", "Background", "Orphan", "nil"`,
    );
  return opts;
}

function includeObject(q: URLSearchParams): IncludeObject {
  const v = q.get('includeObject');
  if (v === null || v === '') return 'Metadata';
  if (v === 'None' || v === 'Metadata' || v === 'Object') return v;
  throw badRequest(
    `includeObject: Unsupported value: "${v}": supported values: "None", "Metadata", "Object"`,
  );
}

export async function handleResource(
  req: IncomingMessage,
  httpRes: ServerResponse,
  url: URL,
  t: Target,
  reply: Reply,
  deps: HandlerDeps,
): Promise<void> {
  const { registry } = deps;
  const { res, namespace: ns, name, subresource } = t;
  const q = url.searchParams;
  const method = req.method ?? 'GET';
  const collection = name === '';
  const allows = (v: string): boolean => (res.verbs as string[]).includes(v);

  if (method === 'GET' || method === 'HEAD') {
    const asTable = wantsTable(req.headers.accept);
    const include = includeObject(q);
    const viewObj = (rec: StoredObject): JsonObject =>
      res.storageIsView ? rec.obj : res.codec.fromStorage(rec.obj);
    if (!collection) {
      if (t.legacyWatch) throw methodNotAllowed();
      const rec = registry.get(res, ns, name);
      if (asTable)
        sendObject(reply, 200, table(res, [viewObj(rec)], { resourceVersion: String(rec.rv) }, include));
      else sendJsonText(reply, 200, viewJson(res, rec));
      return;
    }
    const o: ListOptions = parseListOptions(q, res);
    if (o.watch || t.legacyWatch) {
      if (!allows('watch')) throw methodNotAllowed();
      const encode = asTable
        ? (rec: StoredObject): string =>
            JSON.stringify(table(res, [viewObj(rec)], { resourceVersion: String(rec.rv) }, include))
        : undefined;
      await serveWatch(
        httpRes,
        res,
        ns,
        { ...o, watch: true },
        registry,
        deps.watches,
        url.pathname + url.search,
        `${res.group}/${res.version}${asTable ? `/table/${include}` : ''}`,
        encode,
      );
      return;
    }
    const l = await registry.list(res, ns, o);
    if (asTable) {
      const m: JsonObject = { resourceVersion: String(l.rv) };
      if (l.cont) m.continue = l.cont;
      if (l.remaining !== undefined) m.remainingItemCount = l.remaining;
      sendObject(reply, 200, table(res, l.items.map(viewObj), m, include));
    } else sendJsonText(reply, 200, listJson(res, l.items, l.rv, l.cont, l.remaining));
    return;
  }
  if (t.legacyWatch) throw methodNotAllowed();
  const raw =
    method === 'DELETE' || method === 'POST' || method === 'PUT' || method === 'PATCH'
      ? await readBody(req)
      : Buffer.alloc(0);
  if (method === 'POST') {
    if (!collection || !allows('create') || subresource) throw methodNotAllowed();
    if (res.namespaced && !ns) throw methodNotAllowed();
    const ctx = opContext(req, q, t);
    const w = registry.create(res, ns, parseBody(req, raw, res), ctx, {
      fieldValidation: fieldValidation(q),
    });
    reply.warnings.push(...ctx.warnings);
    sendJsonText(reply, w.status, resultJson(res, w));
    return;
  }
  if (method === 'PUT') {
    if (collection || !allows('update')) throw methodNotAllowed();
    const ctx = opContext(req, q, t);
    const w = registry.update(res, ns, name, parseBody(req, raw, res), ctx, {
      fieldValidation: fieldValidation(q),
    });
    reply.warnings.push(...ctx.warnings);
    sendJsonText(reply, w.status, resultJson(res, w));
    return;
  }
  if (method === 'PATCH') {
    if (collection || !allows('patch') || subresource === 'finalize') throw methodNotAllowed();
    const ctx = opContext(req, q, t);
    const ct = mediaType(req);
    const w = registry.patch(res, ns, name, ct, raw.toString('utf8'), ctx, {
      fieldValidation: fieldValidation(q),
    });
    reply.warnings.push(...ctx.warnings);
    sendJsonText(reply, w.status, resultJson(res, w));
    return;
  }
  if (method === 'DELETE') {
    if (subresource) throw methodNotAllowed();
    let body: JsonValue | undefined;
    if (raw.toString('utf8').trim()) body = parseBody(req, raw, res);
    const opts = deleteOptions(q, body);
    const ctx = opContext(req, q, t);
    if (collection) {
      if (!allows('deletecollection')) throw methodNotAllowed();
      const o = parseListOptions(q, res);
      const l = await registry.list(res, ns, { ...o, limit: 0, continueToken: undefined });
      const deleted: string[] = [];
      for (const rec of l.items) {
        try {
          const d = registry.delete(res, rec.namespace, rec.name, opts, ctx);
          deleted.push(resultJson(res, d));
        } catch (e) {
          if (!(e instanceof StatusError && e.code === 404)) throw e;
        }
      }
      const apiVersion = apiVersionOf(res);
      sendJsonText(
        reply,
        200,
        `{"kind":${JSON.stringify(res.listKind)},"apiVersion":${JSON.stringify(apiVersion)},"metadata":{"resourceVersion":"${res.store.revision.current}"},"items":[${deleted.join(',')}]}`,
      );
      return;
    }
    if (!allows('delete')) throw methodNotAllowed();
    const d = registry.delete(res, ns, name, opts, ctx);
    if (d.deleted && !res.returnDeletedObject) {
      const m = meta(d.obj);
      const details: Record<string, string> = { name: typeof m.name === 'string' ? m.name : '' };
      if (res.qualifiedResource.group) details.group = res.qualifiedResource.group;
      details.kind = res.qualifiedResource.name;
      details.uid = typeof m.uid === 'string' ? m.uid : '';
      sendObject(reply, 200, successStatus(details));
      return;
    }
    sendJsonText(reply, 200, resultJson(res, d));
    return;
  }
  throw methodNotAllowed();
}
