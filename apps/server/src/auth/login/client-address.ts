import { BlockList, isIPv4 } from 'node:net';

/** Loopback, private and link-local networks: a client there is on the printer's own network. */
const LOCAL_NETWORKS = new BlockList();
for (const [network, prefix] of [
  ['127.0.0.0', 8],
  ['10.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['169.254.0.0', 16],
] as const) {
  LOCAL_NETWORKS.addSubnet(network, prefix, 'ipv4');
}
LOCAL_NETWORKS.addAddress('::1', 'ipv6');
LOCAL_NETWORKS.addSubnet('fc00::', 7, 'ipv6');
LOCAL_NETWORKS.addSubnet('fe80::', 10, 'ipv6');

/** OctoPrint's `_is_external_client`: the address is outside loopback and the private networks. */
export function isExternalAddress(address: string | undefined): boolean {
  if (address === undefined || address === '') return false;
  const mapped = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  try {
    return !LOCAL_NETWORKS.check(mapped, isIPv4(mapped) ? 'ipv4' : 'ipv6');
  } catch {
    return true;
  }
}
