import net from 'node:net';

/**
 * Addresses a transformation's fetch must never reach: this host, private networks, link-local
 * (cloud metadata at 169.254.169.254) and the other special-purpose ranges.
 */
const FORBIDDEN_V4: Array<[string, number]> = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];
const FORBIDDEN_V6: Array<[string, number]> = [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
];

export class AddressPolicy {
  private readonly forbidden = new net.BlockList();
  private readonly allowed = new net.BlockList();

  /** `allowedCidrs` are exceptions, e.g. an internal enrichment service's subnet. */
  constructor(allowedCidrs: readonly string[] = []) {
    for (const [address, prefix] of FORBIDDEN_V4) this.forbidden.addSubnet(address, prefix, 'ipv4');
    for (const [address, prefix] of FORBIDDEN_V6) this.forbidden.addSubnet(address, prefix, 'ipv6');
    for (const cidr of allowedCidrs) {
      const [address, prefix] = cidr.split('/');
      const family = net.isIP(address ?? '');
      if (!address || family === 0) throw new Error(`"${cidr}" is not a CIDR such as 10.1.2.0/24`);
      const bits = prefix === undefined ? (family === 4 ? 32 : 128) : Number(prefix);
      this.allowed.addSubnet(address, bits, family === 4 ? 'ipv4' : 'ipv6');
    }
  }

  /** Whether fetch may connect to this resolved address. */
  permits(address: string): boolean {
    const family = net.isIP(address);
    if (family === 0) return false;
    const v4 = family === 6 ? embeddedIpv4(address) : address;
    if (v4 !== undefined) {
      if (this.allowed.check(v4, 'ipv4')) return true;
      return !this.forbidden.check(v4, 'ipv4');
    }
    if (this.allowed.check(address, 'ipv6')) return true;
    return !this.forbidden.check(address, 'ipv6');
  }
}

/** The IPv4 address inside an IPv4-mapped, -compatible, NAT64 or 6to4 IPv6 address. */
function embeddedIpv4(address: string): string | undefined {
  const lower = address.toLowerCase();
  const dotted = lower.match(/^(?:::ffff:|::|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/);
  if (dotted) return dotted[1];
  const words = expandIpv6(lower);
  if (!words) return undefined;
  const toV4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  const [w0, w1, w2, w3, w4, w5, w6, w7] = words as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const zeros = (...ws: number[]) => ws.every((w) => w === 0);
  if (zeros(w0, w1, w2, w3, w4) && (w5 === 0xffff || w5 === 0)) return toV4(w6, w7);
  if (w0 === 0x64 && w1 === 0xff9b && zeros(w2, w3, w4, w5)) return toV4(w6, w7);
  if (w0 === 0x2002) return toV4(w1, w2);
  return undefined;
}

function expandIpv6(address: string): number[] | undefined {
  const [head, tail] = address.split('::');
  const parse = (part: string | undefined) =>
    part ? part.split(':').map((w) => Number.parseInt(w, 16)) : ([] as number[]);
  const left = parse(head);
  const right = parse(tail);
  if (address.includes('.')) return undefined;
  const fill = 8 - left.length - right.length;
  const words = address.includes('::') ? [...left, ...new Array(fill).fill(0), ...right] : left;
  return words.length === 8 && words.every((w) => Number.isInteger(w)) ? words : undefined;
}
