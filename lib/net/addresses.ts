import { BlockList, isIP } from "node:net";

/**
 * Addresses a server-side request must never reach unless an admin allowed
 * that range explicitly: this host, the private networks behind it, link-local
 * (cloud metadata at 169.254.169.254 and fd00:ec2::254), and ranges that are
 * not unicast on the internet. IPv4-mapped and NAT64 IPv6 forms are judged by
 * the IPv4 address they carry.
 */
const BLOCKED_V4: [string, number][] = [
  ["0.0.0.0", 8], // "this network"; 0.0.0.0 reaches the local host on Linux
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local, cloud metadata
  ["172.16.0.0", 12],
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.0.2.0", 24], // documentation
  ["192.88.99.0", 24], // 6to4 relay anycast (deprecated)
  ["192.168.0.0", 16],
  ["198.18.0.0", 15], // benchmarking
  ["198.51.100.0", 24], // documentation
  ["203.0.113.0", 24], // documentation
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
];
const BLOCKED_V6: [string, number][] = [
  ["::", 128], // unspecified
  ["::1", 128], // loopback
  ["::", 96], // IPv4-compatible (deprecated)
  ["64:ff9b::", 96], // NAT64: reaches an IPv4 address through a gateway
  ["64:ff9b:1::", 48], // local-use NAT64
  ["100::", 64], // discard
  ["2001:db8::", 32], // documentation
  ["fc00::", 7], // unique local (fd00:ec2::254 is AWS metadata over IPv6)
  ["fe80::", 10], // link-local
  ["fec0::", 10], // site-local (deprecated)
  ["ff00::", 8], // multicast
];

const blocked = new BlockList();
for (const [a, p] of BLOCKED_V4) blocked.addSubnet(a, p, "ipv4");
for (const [a, p] of BLOCKED_V6) blocked.addSubnet(a, p, "ipv6");

/** Eight 16-bit groups of an IPv6 address (with or without an embedded dotted IPv4 tail), or null. */
function ipv6Groups(addr: string): number[] | null {
  let s = addr.toLowerCase().replace(/^\[|\]$/g, "");
  const zone = s.indexOf("%");
  if (zone >= 0) s = s.slice(0, zone);
  if (isIP(s) !== 6) return null;
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (tail) {
    const o = tail[1]!.split(".").map(Number);
    s = `${s.slice(0, -tail[1]!.length)}${((o[0]! << 8) | o[1]!).toString(16)}:${((o[2]! << 8) | o[3]!).toString(16)}`;
  }
  const [head, rest] = s.split("::") as [string, string | undefined];
  const part = (x: string) => (x ? x.split(":").map((g) => parseInt(g, 16)) : []);
  const h = part(head);
  if (rest === undefined) return h;
  const r = part(rest);
  return [...h, ...Array<number>(8 - h.length - r.length).fill(0), ...r];
}

/** The IPv4 address an IPv4-mapped (::ffff:a.b.c.d) or NAT64 (64:ff9b::a.b.c.d) IPv6 address carries. */
export function embeddedIpv4(addr: string): string | null {
  const g = ipv6Groups(addr);
  if (!g) return null;
  const mapped = g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff;
  const nat64 = g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0);
  if (!mapped && !nat64) return null;
  return [g[6]! >> 8, g[6]! & 0xff, g[7]! >> 8, g[7]! & 0xff].join(".");
}

/** The forms of one address a range check must consider: itself and, for mapped forms, the IPv4 it carries. */
function forms(addr: string): { address: string; type: "ipv4" | "ipv6" }[] {
  const bare = addr.replace(/^\[|\]$/g, "");
  const v = isIP(bare);
  if (v === 4) return [{ address: bare, type: "ipv4" }];
  if (v !== 6) return [];
  const v4 = embeddedIpv4(bare);
  return v4
    ? [
        { address: bare, type: "ipv6" },
        { address: v4, type: "ipv4" },
      ]
    : [{ address: bare, type: "ipv6" }];
}

/** True when the address is loopback, private, link-local, metadata, multicast or otherwise not public unicast. */
export function isSpecialAddress(addr: string): boolean {
  const f = forms(addr);
  // Something that is not an IP address at all is never "safe".
  return f.length === 0 || f.some((x) => blocked.check(x.address, x.type));
}

/** An address or CIDR range as an admin writes it: `10.0.0.0/8`, `127.0.0.1`, `fd00::/8`, `::1`. Canonical form or null. */
export function parseRange(raw: string): { address: string; prefix: number; type: "ipv4" | "ipv6"; text: string } | null {
  const m = /^([^/]+)(?:\/(\d{1,3}))?$/.exec(raw.trim());
  if (!m) return null;
  const address = m[1]!.replace(/^\[|\]$/g, "");
  const v = isIP(address);
  if (v === 0) return null;
  const max = v === 4 ? 32 : 128;
  const prefix = m[2] === undefined ? max : Number(m[2]);
  if (prefix > max) return null;
  const type = v === 4 ? "ipv4" : "ipv6";
  return { address, prefix, type, text: prefix === max ? address : `${address}/${prefix}` };
}

/** A checker for the ranges an admin explicitly opened (`allowPrivateRanges`). */
export function rangeList(ranges: readonly string[]): (addr: string) => boolean {
  const list = new BlockList();
  let any = false;
  for (const r of ranges) {
    const p = parseRange(r);
    if (!p) continue;
    list.addSubnet(p.address, p.prefix, p.type);
    any = true;
  }
  if (!any) return () => false;
  return (addr) => {
    const f = forms(addr);
    return f.length > 0 && f.some((x) => list.check(x.address, x.type));
  };
}
