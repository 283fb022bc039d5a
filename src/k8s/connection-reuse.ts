// client-node 1.4 builds a new http(s).Agent for every API call, so every request opens a new
// TCP connection and, against a real cluster, does a full TLS handshake. A controller writing
// thousands of statuses cannot afford that. reuseConnections() makes one KubeConfig hand out
// keep-alive agents shared by every call with the same TLS settings (re-keyed when a rotated
// client certificate or CA changes them, so rotation still works).
import type { KubeConfig } from '@kubernetes/client-node';
import { createHash } from 'node:crypto';
import type { Agent as HttpAgent } from 'node:http';

type CreateAgent = (cluster: unknown, agentOptions: Record<string, unknown>) => HttpAgent;

const MAX_AGENTS = 4;

function optionsKey(cluster: unknown, options: Record<string, unknown>): string {
  const h = createHash('sha256');
  h.update(JSON.stringify(cluster ?? null));
  for (const k of Object.keys(options).sort()) {
    const v = options[k];
    h.update(`\0${k}=`);
    if (Buffer.isBuffer(v) || typeof v === 'string') h.update(v);
    else h.update(JSON.stringify(v ?? null));
  }
  return h.digest('hex');
}

/** Patches `kc` in place (and returns it) so its API clients and watches share keep-alive agents. */
export function reuseConnections(kc: KubeConfig): KubeConfig {
  // createAgent is private in client-node's typings but a plain method at run time; it is the
  // one place every request, watch included, gets its agent from.
  const target = kc as unknown as { createAgent: CreateAgent };
  const original = target.createAgent.bind(kc);
  const agents = new Map<string, HttpAgent>();
  target.createAgent = (cluster, agentOptions) => {
    const key = optionsKey(cluster, agentOptions);
    const hit = agents.get(key);
    if (hit) return hit;
    const agent = original(cluster, { ...agentOptions, keepAlive: true });
    if (agents.size >= MAX_AGENTS) {
      const [oldKey, old] = agents.entries().next().value as [string, HttpAgent];
      agents.delete(oldKey);
      old.destroy();
    }
    agents.set(key, agent);
    return agent;
  };
  return kc;
}
