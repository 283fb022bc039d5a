// Which resources are served at which paths, and the group/version lists discovery reports.
import type { Resource } from './types.js';

/** Built-in groups in the order kube-apiserver lists them; CRD groups follow, sorted. */
const GROUP_ORDER = ['events.k8s.io', 'coordination.k8s.io', 'discovery.k8s.io', 'apiextensions.k8s.io'];

export class Catalog {
  private readonly byPath = new Map<string, Resource>();

  private static key(group: string, version: string, plural: string): string {
    return `${group}/${version}/${plural}`;
  }

  add(r: Resource): void {
    this.byPath.set(Catalog.key(r.group, r.version, r.plural), r);
  }

  remove(group: string, version: string, plural: string): void {
    this.byPath.delete(Catalog.key(group, version, plural));
  }

  get(group: string, version: string, plural: string): Resource | undefined {
    return this.byPath.get(Catalog.key(group, version, plural));
  }

  all(): Resource[] {
    return [...this.byPath.values()];
  }

  resources(group: string, version: string): Resource[] {
    return this.all().filter((r) => r.group === group && r.version === version);
  }

  hasGroupVersion(group: string, version: string): boolean {
    return this.all().some((r) => r.group === group && r.version === version);
  }

  /** Named groups with their versions, preferred (first) version first. */
  groups(): { name: string; versions: string[] }[] {
    const m = new Map<string, string[]>();
    for (const r of this.all()) {
      if (!r.group) continue;
      const vs = m.get(r.group) ?? [];
      if (!vs.includes(r.version)) vs.push(r.version);
      m.set(r.group, vs);
    }
    const rank = (g: string): number => {
      const i = GROUP_ORDER.indexOf(g);
      return i < 0 ? GROUP_ORDER.length : i;
    };
    return [...m.entries()]
      .sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, versions]) => ({ name, versions: sortVersions(versions) }));
  }
}

/** Kubernetes version priority: GA > beta > alpha, higher numbers first, others last. */
export function sortVersions(vs: string[]): string[] {
  const parse = (v: string): [number, number, number] | undefined => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return undefined;
    const stage = m[2] === 'alpha' ? 0 : m[2] === 'beta' ? 1 : 2;
    return [stage, Number(m[1]), Number(m[3] ?? 0)];
  };
  return [...vs].sort((a, b) => {
    const pa = parse(a);
    const pb = parse(b);
    if (!pa || !pb) return pa ? -1 : pb ? 1 : a < b ? -1 : 1;
    return pb[0] - pa[0] || pb[1] - pa[1] || pb[2] - pa[2];
  });
}
