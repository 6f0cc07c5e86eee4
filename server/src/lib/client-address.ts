/**
 * The client's address as a server behind proxies should see it. `X-Forwarded-For` is anyone's to
 * write, so it counts only when the peer that sent it is a proxy named in `TRUST_PROXY`, and then
 * only up to the first hop that is not trusted: the list is read from the right (nearest hop
 * first), the way Express's `trust proxy` and RFC 7239 readers do it.
 */
import { BlockList, isIP } from 'node:net';

/** Resolves the client's address from the peer's address and the forwarded header. */
export type AddressResolver = (peer: string | undefined, forwardedFor: string | undefined) => string;

/** Words TRUST_PROXY accepts besides addresses and CIDR ranges. */
const NAMED_RANGES: Record<string, ReadonlyArray<readonly [string, number, 'ipv4' | 'ipv6']>> = {
  loopback: [
    ['127.0.0.0', 8, 'ipv4'],
    ['::1', 128, 'ipv6'],
  ],
  private: [
    ['10.0.0.0', 8, 'ipv4'],
    ['172.16.0.0', 12, 'ipv4'],
    ['192.168.0.0', 16, 'ipv4'],
    ['fc00::', 7, 'ipv6'],
  ],
};

/** Why an entry of TRUST_PROXY is invalid, or undefined when it is an address, a CIDR or a named range. */
export function trustProxyProblem(entry: string): string | undefined {
  if (entry in NAMED_RANGES) return undefined;
  const [address = '', bits, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return `${JSON.stringify(entry)} is not an address, a CIDR range, loopback or private`;
  if (bits === undefined) return undefined;
  const max = family === 4 ? 32 : 128;
  if (!/^\d+$/.test(bits) || Number(bits) > max) return `${JSON.stringify(entry)}: prefix length must be 0 to ${max}`;
  return undefined;
}

/** `::ffff:10.0.0.1` and `10.0.0.1` are one client. */
function normalize(address: string): string {
  const trimmed = address.trim();
  return trimmed.toLowerCase().startsWith('::ffff:') && isIP(trimmed.slice(7)) === 4 ? trimmed.slice(7) : trimmed;
}

/** Builds a resolver trusting the given proxies (entries already checked by `trustProxyProblem`). */
export function createAddressResolver(trusted: readonly string[]): AddressResolver {
  if (trusted.length === 0) return (peer) => normalize(peer ?? 'unknown');
  const list = new BlockList();
  for (const entry of trusted) {
    const named = NAMED_RANGES[entry];
    if (named) {
      for (const [net, bits, family] of named) list.addSubnet(net, bits, family);
      continue;
    }
    const [address = '', bits] = entry.split('/');
    const family = isIP(address) === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(bits), family);
  }
  const isTrusted = (address: string): boolean => {
    const family = isIP(address);
    return family !== 0 && list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  };
  return (peer, forwardedFor) => {
    let client = normalize(peer ?? 'unknown');
    if (!isTrusted(client) || !forwardedFor) return client;
    const hops = forwardedFor
      .split(',')
      .map(normalize)
      .filter((hop) => hop !== '');
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i]!;
      // A hop that is not an address was written by someone we cannot vouch for: stop at the last good one.
      if (isIP(hop) === 0) return client;
      client = hop;
      if (!isTrusted(hop)) return hop;
    }
    return client;
  };
}
