// A kubeconfig for this server that both @kubernetes/client-node and kubectl accept.
import { dumpYaml } from '@kubernetes/client-node';

export function kubeconfigYaml(url: string, opts: { token?: string; caData?: string }): string {
  const cluster: Record<string, unknown> = { server: url };
  if (opts.caData) cluster['certificate-authority-data'] = opts.caData;
  // client-node refuses plain http unless this is set; kubectl accepts it for http too.
  else cluster['insecure-skip-tls-verify'] = true;
  const user: Record<string, unknown> = {};
  if (opts.token) user.token = opts.token;
  return dumpYaml({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'ironlb', cluster }],
    users: [{ name: 'ironlb', user }],
    contexts: [{ name: 'ironlb', context: { cluster: 'ironlb', user: 'ironlb', namespace: 'default' } }],
    'current-context': 'ironlb',
    preferences: {},
  });
}
