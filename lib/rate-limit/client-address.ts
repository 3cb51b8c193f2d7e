import { BlockList, isIP } from 'node:net';

/** Names accepted in `trustedProxies` for common ranges (as Express's `trust proxy` knows them). */
const NAMED_RANGES: Readonly<Record<string, readonly string[]>> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/** `::ffff:127.0.0.1` → `127.0.0.1`, so IPv4 ranges match IPv4-mapped peers. */
function unmap(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/**
 * The proxies whose `X-Forwarded-For` is believed. Built once at boot from addresses, CIDR ranges
 * and the names `loopback`, `linklocal`, `uniquelocal`; throws a TypeError naming the bad entry.
 */
export class TrustedProxies {
  private readonly list = new BlockList();
  readonly empty: boolean;

  constructor(entries: readonly string[]) {
    this.empty = entries.length === 0;
    for (const entry of entries.flatMap((e) => NAMED_RANGES[e] ?? [e])) {
      const [address, prefix] = entry.split('/');
      const family = isIP(address);
      if (family === 0)
        throw new TypeError(`"${entry}" is not an IP address, a CIDR range or one of ${Object.keys(NAMED_RANGES).join(', ')}`);
      const type = family === 4 ? 'ipv4' : 'ipv6';
      if (prefix === undefined) {
        this.list.addAddress(address, type);
        continue;
      }
      const bits = Number(prefix);
      if (!/^\d{1,3}$/.test(prefix) || bits > (family === 4 ? 32 : 128)) throw new TypeError(`"${entry}" has a bad prefix length`);
      this.list.addSubnet(address, bits, type);
    }
  }

  trusts(address: string): boolean {
    const plain = unmap(address);
    const family = isIP(plain);
    return family !== 0 && this.list.check(plain, family === 4 ? 'ipv4' : 'ipv6');
  }

  /**
   * The client's address: the TCP peer, unless it is a trusted proxy; then walk `X-Forwarded-For`
   * from the right (each proxy appends the address it saw) to the first hop that is not a trusted
   * proxy. What a client writes into the header itself is to the left of that and never counts.
   */
  clientAddress(peer: string | undefined, forwardedFor: string | string[] | undefined): string {
    let client = unmap(peer ?? 'unknown');
    if (this.empty || !this.trusts(client)) return client;
    const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : (forwardedFor ?? ''))
      .split(',')
      .map((hop) => hop.trim())
      .filter(Boolean);
    for (let i = hops.length - 1; i >= 0; i--) {
      if (isIP(unmap(hops[i])) === 0) return client; // garbage: stop at the last address we trust to have seen it
      client = unmap(hops[i]);
      if (!this.trusts(client)) return client;
    }
    return client;
  }
}
