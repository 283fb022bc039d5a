// The HTTP front: fault injection and latency, bearer-token authentication, routing of
// discovery, health and resource paths, content negotiation and error answers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../log/logger.js';
import { StatusError, internalError, notAcceptable } from '../errors.js';
import type { FaultInjector } from '../faults.js';
import type { Catalog } from '../registry/catalog.js';
import type { Registry } from '../registry/rest.js';
import type { Resource, Subresource } from '../registry/types.js';
import { SERVER_VERSION, apiGroup, apiGroupList, apiResourceList, apiVersions } from './discovery.js';
import { handleResource } from './handlers.js';
import { openAPIDocument, openAPIIndex } from './openapi.js';
import type { Target } from './handlers.js';
import { sendNotFoundText, sendObject, sendStatus, sendText } from './respond.js';
import type { Format, Reply } from './respond.js';
import type { WatchRegistry } from './watch.js';

export interface FrontDeps {
  catalog: Catalog;
  registry: Registry;
  faults: FaultInjector;
  token: string | undefined;
  log: Logger;
  serverAddress: () => string;
}

const PUBLIC_PATHS = /^\/(healthz|livez|readyz|version)(\/.*)?$/;
const HEALTH = /^\/(healthz|livez|readyz)(\/ping)?\/?$/;

function negotiate(req: IncomingMessage): Format {
  const accept = req.headers.accept;
  if (!accept) return 'json';
  const types = accept.split(',').map((t) => (t.split(';')[0] ?? '').trim().toLowerCase());
  for (const t of types) {
    if (t === 'application/json' || t === '*/*' || t === 'application/*') return 'json';
    if (t === 'application/yaml') return 'yaml';
  }
  throw notAcceptable();
}

type Route =
  | { kind: 'notfound' }
  | { kind: 'target'; t: Target }
  | { kind: 'doc'; body: () => Record<string, unknown> | undefined };

function resolveResource(catalog: Catalog, group: string, version: string, segs: string[]): Route {
  let legacyWatch = false;
  if (segs[0] === 'watch') {
    legacyWatch = true;
    segs = segs.slice(1);
  }
  let ns = '';
  let plural: string;
  let name: string;
  let sub: string;
  if (
    segs[0] === 'namespaces' &&
    segs.length >= 3 &&
    !(segs.length === 3 && (segs[2] === 'status' || segs[2] === 'finalize'))
  ) {
    if (segs.length > 5) return { kind: 'notfound' };
    ns = segs[1] ?? '';
    plural = segs[2] ?? '';
    name = segs[3] ?? '';
    sub = segs[4] ?? '';
  } else {
    if (segs.length > 3) return { kind: 'notfound' };
    plural = segs[0] ?? '';
    name = segs[1] ?? '';
    sub = segs[2] ?? '';
  }
  const res: Resource | undefined = catalog.get(group, version, plural);
  if (!res) return { kind: 'notfound' };
  if (ns && !res.namespaced) return { kind: 'notfound' };
  if (!ns && res.namespaced && name) return { kind: 'notfound' };
  if (sub && !(res.subresources as string[]).includes(sub)) return { kind: 'notfound' };
  if (legacyWatch && sub) return { kind: 'notfound' };
  return { kind: 'target', t: { res, namespace: ns, name, subresource: sub as Subresource, legacyWatch } };
}

/** decodeURIComponent that answers undefined for malformed escapes (%ff alone is not UTF-8). */
function decodeSegment(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

export function route(catalog: Catalog, path: string, serverAddress: () => string): Route {
  const decoded = path
    .split('/')
    .filter((s) => s !== '')
    .map(decodeSegment);
  // No resource has such a name: a 404 page, as kube-apiserver's router answers.
  if (decoded.some((s) => s === undefined)) return { kind: 'notfound' };
  const segs = decoded as string[];
  if (segs[0] === 'api') {
    if (segs.length === 1) return { kind: 'doc', body: () => apiVersions(serverAddress()) };
    if (segs[1] !== 'v1') return { kind: 'notfound' };
    if (segs.length === 2) return { kind: 'doc', body: () => apiResourceList(catalog, '', 'v1') };
    return resolveResource(catalog, '', 'v1', segs.slice(2));
  }
  if (segs[0] === 'apis') {
    if (segs.length === 1) return { kind: 'doc', body: () => apiGroupList(catalog) };
    const group = segs[1] ?? '';
    if (segs.length === 2) return { kind: 'doc', body: () => apiGroup(catalog, group) };
    const version = segs[2] ?? '';
    if (!catalog.hasGroupVersion(group, version)) return { kind: 'notfound' };
    if (segs.length === 3) return { kind: 'doc', body: () => apiResourceList(catalog, group, version) };
    return resolveResource(catalog, group, version, segs.slice(3));
  }
  if (segs.length === 1 && segs[0] === 'version') return { kind: 'doc', body: () => ({ ...SERVER_VERSION }) };
  if (segs[0] === 'openapi' && segs[1] === 'v3') {
    if (segs.length === 2) return { kind: 'doc', body: () => openAPIIndex(catalog) };
    if (segs[2] === 'api' && segs[3] === 'v1' && segs.length === 4)
      return { kind: 'doc', body: () => openAPIDocument(catalog, '', 'v1') };
    if (segs[2] === 'apis' && segs.length === 5) {
      const [g, v] = [segs[3] ?? '', segs[4] ?? ''];
      if (catalog.hasGroupVersion(g, v)) return { kind: 'doc', body: () => openAPIDocument(catalog, g, v) };
    }
  }
  return { kind: 'notfound' };
}

function verbOf(method: string, t: Target, q: URLSearchParams): string {
  const watch = t.legacyWatch || q.get('watch') === 'true' || q.get('watch') === '1';
  switch (method) {
    case 'GET':
    case 'HEAD':
      return t.name ? 'get' : watch ? 'watch' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return t.name ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}

function anonymousForbidden(method: string, path: string, r: Route, q: URLSearchParams): StatusError {
  const st = (message: string, details: Record<string, string>): StatusError =>
    new StatusError({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message,
      reason: 'Forbidden',
      details,
      code: 403,
    });
  if (r.kind === 'target') {
    const t = r.t;
    const verb = verbOf(method, t, q);
    const res = t.subresource ? `${t.res.plural}/${t.subresource}` : t.res.plural;
    const qualified = t.res.group ? `${t.res.plural}.${t.res.group}` : t.res.plural;
    const subject = t.name ? `${qualified} "${t.name}"` : qualified;
    const where = t.namespace
      ? ` in the namespace "${t.namespace}"`
      : t.res.namespaced
        ? ''
        : ' at the cluster scope';
    const details: Record<string, string> = {};
    if (t.name) details.name = t.name;
    if (t.res.group) details.group = t.res.group;
    details.kind = t.res.plural;
    return st(
      `${subject} is forbidden: User "system:anonymous" cannot ${verb} resource "${res}" in API group "${t.res.group}"${where}`,
      details,
    );
  }
  return st(`forbidden: User "system:anonymous" cannot ${method.toLowerCase()} path "${path}"`, {});
}

export function createHandler(deps: FrontDeps, watches: WatchRegistry) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = Date.now();
    deps.faults.countRequest();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const reply: Reply = {
      res,
      format: 'json',
      pretty: url.searchParams.get('pretty') === 'true',
      warnings: [],
    };
    try {
      if (deps.faults.latencyMs > 0) await new Promise((r) => setTimeout(r, deps.faults.latencyMs));
      const isWatch =
        url.searchParams.get('watch') === 'true' ||
        url.searchParams.get('watch') === '1' ||
        /\/watch\//.test(url.pathname);
      const fault = deps.faults.match(method, url.pathname + url.search, isWatch);
      if (fault) {
        req.resume();
        sendStatus(reply, fault);
        return;
      }
      const r = route(deps.catalog, url.pathname, deps.serverAddress);
      if (deps.token !== undefined) {
        const auth = req.headers.authorization;
        if (auth === undefined) {
          if (!PUBLIC_PATHS.test(url.pathname)) {
            req.resume();
            sendStatus(reply, anonymousForbidden(method, url.pathname, r, url.searchParams));
            return;
          }
        } else if (auth !== `Bearer ${deps.token}`) {
          req.resume();
          sendStatus(
            reply,
            new StatusError({
              kind: 'Status',
              apiVersion: 'v1',
              metadata: {},
              status: 'Failure',
              message: 'Unauthorized',
              reason: 'Unauthorized',
              code: 401,
            }),
          );
          return;
        }
      }
      if (HEALTH.test(url.pathname)) {
        req.resume();
        const verbose = url.searchParams.has('verbose');
        const check = url.pathname.split('/')[1] ?? 'healthz';
        sendText(
          res,
          200,
          verbose
            ? `[+]ping ok\n[+]log ok\n[+]etcd ok\n[+]poststarthook/crd-informer-synced ok\n${check} check passed\n`
            : 'ok',
        );
        return;
      }
      if (r.kind === 'notfound') {
        req.resume();
        sendNotFoundText(res);
        return;
      }
      reply.format = negotiate(req);
      if (r.kind === 'doc') {
        req.resume();
        const body = r.body();
        if (!body) sendNotFoundText(res);
        else sendObject(reply, 200, body);
        return;
      }
      await handleResource(req, res, url, r.t, reply, { registry: deps.registry, watches });
    } catch (e) {
      const err = e instanceof StatusError ? e : internalError(e instanceof Error ? e.message : String(e));
      if (!(e instanceof StatusError)) deps.log.error({ err: e, path: url.pathname }, 'request failed');
      if (!res.headersSent) {
        req.resume();
        sendStatus(reply, err);
      } else res.destroy();
    } finally {
      deps.log.debug(
        { method, path: url.pathname, status: res.statusCode, ms: Date.now() - started },
        'request',
      );
    }
  };
}
