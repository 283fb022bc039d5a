// Names of ironlb's API: group, version, kinds, plurals, annotation keys and the install namespace.
// Declared once so the controller, the agent, the CRD test and the CLI cannot drift apart.

export const IRONLB_GROUP = 'ironlb.io';
export const IRONLB_VERSION = 'v1';
export const IRONLB_API_VERSION = `${IRONLB_GROUP}/${IRONLB_VERSION}` as const;

export const IP_ADDRESS_POOL_KIND = 'IPAddressPool';
export const IP_ADDRESS_POOL_PLURAL = 'ipaddresspools';
export const L2_ADVERTISEMENT_KIND = 'L2Advertisement';
export const L2_ADVERTISEMENT_PLURAL = 'l2advertisements';

/** Where the pools and advertisements live unless the CLI is told otherwise. */
export const DEFAULT_NAMESPACE = 'ironlb-system';

/** Service annotations. All but `ipAllocatedFromPool` are written by users. */
export const ANNOTATIONS = {
  /** Wanted IPs, comma separated, at most one per family. Exclusive with spec.loadBalancerIP. */
  loadBalancerIPs: `${IRONLB_GROUP}/loadBalancerIPs`,
  /** Take the IPs from this pool (also when the pool has autoAssign: false). */
  addressPool: `${IRONLB_GROUP}/address-pool`,
  /** Sharing key: Services with the same key may share an IP when their ports do not clash. */
  allowSharedIP: `${IRONLB_GROUP}/allow-shared-ip`,
  /** Written by the controller: the pool(s) the Service's IPs came from, comma separated. */
  ipAllocatedFromPool: `${IRONLB_GROUP}/ip-allocated-from-pool`,
} as const;

/** Condition type on IPAddressPool and L2Advertisement status: is the object's spec usable? */
export const CONDITION_VALID = 'Valid';

/** `status.loadBalancer.ingress[].ipMode` written for L2-announced IPs (the node receives the VIP). */
export const INGRESS_IP_MODE_VIP = 'VIP';
