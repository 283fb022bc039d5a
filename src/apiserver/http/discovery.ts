// Discovery documents: /version, /api, /api/v1, /apis, /apis/<group>[/<version>], as
// kube-apiserver writes them (legacy, unaggregated discovery).
import type { Catalog } from '../registry/catalog.js';
import type { Resource } from '../registry/types.js';

export const SERVER_VERSION = {
  major: '1',
  minor: '33',
  gitVersion: 'v1.33.0+ironlb',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2025-01-01T00:00:00Z',
  goVersion: 'go1.24.0',
  compiler: 'gc',
  platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
};

function resourceEntries(r: Resource): Record<string, unknown>[] {
  const main: Record<string, unknown> = {
    name: r.plural,
    singularName: r.singular,
    namespaced: r.namespaced,
    kind: r.kind,
    verbs: r.verbs,
  };
  if (r.shortNames.length) main.shortNames = r.shortNames;
  if (r.categories.length) main.categories = r.categories;
  main.storageVersionHash = r.storageVersionHash;
  const out = [main];
  for (const sub of r.subresources) {
    out.push({
      name: `${r.plural}/${sub}`,
      singularName: '',
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: sub === 'finalize' ? ['update'] : ['get', 'patch', 'update'],
    });
  }
  return out;
}

export function apiResourceList(catalog: Catalog, group: string, version: string): Record<string, unknown> {
  const entries = catalog
    .resources(group, version)
    .flatMap(resourceEntries)
    .sort((a, b) => (String(a.name) < String(b.name) ? -1 : 1));
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources: entries,
  };
}

function groupDoc(name: string, versions: string[]): Record<string, unknown> {
  const vs = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { name, versions: vs, preferredVersion: vs[0] };
}

export function apiGroupList(catalog: Catalog): Record<string, unknown> {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: catalog.groups().map((g) => groupDoc(g.name, g.versions)),
  };
}

export function apiGroup(catalog: Catalog, name: string): Record<string, unknown> | undefined {
  const g = catalog.groups().find((x) => x.name === name);
  if (!g) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(g.name, g.versions) };
}

export function apiVersions(serverAddress: string): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}
