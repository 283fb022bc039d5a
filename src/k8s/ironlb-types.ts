// TypeScript shapes of ironlb's custom resources (ironlb.io/v1), declared once.
// test/controller/crd-schema.test.ts checks daemonset/crds/*.yaml against these declarations field by
// field, so a field added here without the schema (or the reverse) fails the build.
import type { V1Condition, V1LabelSelector, V1ObjectMeta } from '@kubernetes/client-node';
import type { IP_ADDRESS_POOL_KIND, IRONLB_API_VERSION, L2_ADVERTISEMENT_KIND } from './names.js';

export interface IPAddressPoolServiceAllocation {
  /** Lower numbers are tried first; pools without a priority come after those with one. */
  priority?: number;
  /** Namespaces whose Services this pool serves. */
  namespaces?: string[];
  /** Namespaces (by their labels) whose Services this pool serves; ORed with `namespaces`. */
  namespaceSelectors?: V1LabelSelector[];
  /** Services (by their labels) this pool serves; ANDed with the namespace conditions. */
  serviceSelectors?: V1LabelSelector[];
}

export interface IPAddressPoolSpec {
  /** CIDRs ("192.0.2.0/24", "2001:db8::/120") or ranges ("192.0.2.10-192.0.2.20"). */
  addresses: string[];
  /** When false, only Services that name this pool or request one of its IPs get its addresses. */
  autoAssign?: boolean;
  /** Skip IPv4 addresses ending in .0 or .255. */
  avoidBuggyIPs?: boolean;
  serviceAllocation?: IPAddressPoolServiceAllocation;
}

export interface IPAddressPoolStatus {
  /** Counts are capped at Number.MAX_SAFE_INTEGER, which a large IPv6 pool exceeds. */
  assignedIPv4: number;
  assignedIPv6: number;
  availableIPv4: number;
  availableIPv6: number;
  conditions?: V1Condition[];
  observedGeneration?: number;
}

export interface IPAddressPool {
  apiVersion: typeof IRONLB_API_VERSION;
  kind: typeof IP_ADDRESS_POOL_KIND;
  metadata: V1ObjectMeta;
  spec: IPAddressPoolSpec;
  status?: IPAddressPoolStatus;
}

export interface L2AdvertisementSpec {
  /** Pools to announce by name. With no pools and no pool selectors, every pool is announced. */
  ipAddressPools?: string[];
  ipAddressPoolSelectors?: V1LabelSelector[];
  /** Nodes that may announce. None means every node. */
  nodeSelectors?: V1LabelSelector[];
  /** Interfaces to announce on. None means every eligible interface. */
  interfaces?: string[];
}

export interface L2AdvertisementStatus {
  conditions?: V1Condition[];
  observedGeneration?: number;
}

export interface L2Advertisement {
  apiVersion: typeof IRONLB_API_VERSION;
  kind: typeof L2_ADVERTISEMENT_KIND;
  metadata: V1ObjectMeta;
  /** Optional: an advertisement without a spec announces every pool from every node. */
  spec?: L2AdvertisementSpec;
  status?: L2AdvertisementStatus;
}
