// OpenAPI v3 discovery, reduced to what clients probe: the /openapi/v3 index and one document per
// group/version listing its paths, operations, query parameters and
// x-kubernetes-group-version-kind (kubectl checks the PATCH operations for fieldValidation
// before it relies on server-side field validation). Schemas are not published.
import { createHash } from 'node:crypto';
import type { Catalog } from '../registry/catalog.js';
import type { Resource } from '../registry/types.js';

const q = (name: string, description: string): Record<string, unknown> => ({
  name,
  in: 'query',
  description,
  schema: { type: 'string', uniqueItems: true },
});

const WRITE_PARAMS = [
  q('dryRun', 'When present, indicates that modifications should not be persisted.'),
  q(
    'fieldManager',
    'fieldManager is a name associated with the actor or entity that is making these changes.',
  ),
  q(
    'fieldValidation',
    'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields.',
  ),
];
const LIST_PARAMS = [
  'allowWatchBookmarks',
  'continue',
  'fieldSelector',
  'labelSelector',
  'limit',
  'resourceVersion',
  'resourceVersionMatch',
  'sendInitialEvents',
  'timeoutSeconds',
  'watch',
].map((n) => q(n, n));

function gvPrefix(group: string, version: string): string {
  return group ? `/apis/${group}/${version}` : `/api/${version}`;
}

function op(
  r: Resource,
  action: string,
  params: Record<string, unknown>[],
  sub = '',
): Record<string, unknown> {
  const verb =
    {
      get: 'read',
      list: 'list',
      post: 'create',
      put: 'replace',
      patch: 'patch',
      delete: 'delete',
      deletecollection: 'deletecollection',
    }[action] ?? action;
  return {
    operationId: `${verb}${r.namespaced ? 'Namespaced' : ''}${r.kind}${sub ? sub[0]?.toUpperCase() + sub.slice(1) : ''}`,
    parameters: params,
    responses: { '200': { description: 'OK' } },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': { group: r.group, version: r.version, kind: r.kind },
  };
}

function pathsFor(r: Resource): Record<string, Record<string, unknown>> {
  const base =
    gvPrefix(r.group, r.version) + (r.namespaced ? `/namespaces/{namespace}/${r.plural}` : `/${r.plural}`);
  const item = `${base}/{name}`;
  const out: Record<string, Record<string, unknown>> = {};
  const verbs = r.verbs as string[];
  const coll: Record<string, unknown> = {};
  if (verbs.includes('list')) coll.get = op(r, 'list', LIST_PARAMS);
  if (verbs.includes('create')) coll.post = op(r, 'post', WRITE_PARAMS);
  if (verbs.includes('deletecollection')) coll.delete = op(r, 'deletecollection', LIST_PARAMS);
  out[base] = coll;
  const one: Record<string, unknown> = { get: op(r, 'get', []) };
  if (verbs.includes('update')) one.put = op(r, 'put', WRITE_PARAMS);
  if (verbs.includes('patch'))
    one.patch = op(r, 'patch', [...WRITE_PARAMS, q('force', 'Force is going to "force" Apply requests.')]);
  if (verbs.includes('delete'))
    one.delete = op(r, 'delete', [
      q('dryRun', 'dryRun'),
      q('gracePeriodSeconds', 'gracePeriodSeconds'),
      q('propagationPolicy', 'propagationPolicy'),
    ]);
  out[item] = one;
  for (const sub of r.subresources) {
    const p: Record<string, unknown> = {};
    if (sub === 'status') {
      p.get = op(r, 'get', [], 'status');
      p.put = op(r, 'put', WRITE_PARAMS, 'status');
      p.patch = op(r, 'patch', [...WRITE_PARAMS, q('force', 'force')], 'status');
    } else p.put = op(r, 'put', WRITE_PARAMS, sub);
    out[`${item}/${sub}`] = p;
  }
  return out;
}

export function openAPIDocument(catalog: Catalog, group: string, version: string): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const r of catalog.resources(group, version)) Object.assign(paths, pathsFor(r));
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.33.0' },
    paths,
    components: { schemas: {} },
  };
}

export function openAPIIndex(catalog: Catalog): Record<string, unknown> {
  const gvs: [string, string][] = [['', 'v1']];
  for (const g of catalog.groups()) for (const v of g.versions) gvs.push([g.name, v]);
  const paths: Record<string, unknown> = {};
  for (const [g, v] of gvs) {
    const rel = gvPrefix(g, v).slice(1);
    const hash = createHash('sha512')
      .update(JSON.stringify(openAPIDocument(catalog, g, v)))
      .digest('hex')
      .slice(0, 128)
      .toUpperCase();
    paths[rel] = { serverRelativeURL: `/openapi/v3/${rel}?hash=${hash}` };
  }
  return { paths };
}
