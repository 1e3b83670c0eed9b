import { isIP } from "node:net";

/**
 * Host patterns an admin allows outbound requests to:
 *   `api.example.com`       that host, any port
 *   `*.example.com`         any name under example.com (not example.com itself)
 *   `api.example.com:8443`  that host on that port only
 *   `10.1.2.3`, `[fd00::5]:3001`  an address literal (still subject to the private-address rule)
 *   `*`                     any host (the address rules still apply)
 * Patterns are kept in canonical form (lower case, punycode, IPv6 compressed),
 * the same form the URL parser gives a request's host, so `http://2130706433/`
 * and `127.0.0.1` compare equal.
 */
export interface HostPattern {
  /** The canonical text, as stored and shown. */
  text: string;
  wildcard: "none" | "subdomains" | "any";
  /** Host without brackets or trailing dot; for "subdomains", the suffix after `*.`. */
  host: string;
  port?: number;
}

const LABEL = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/;

/** The host of a URL as matching sees it: lower case, no brackets, no trailing dot. */
export function matchableHost(hostname: string): string {
  return hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, "")
    .replace(/\.$/, "");
}

function canonicalHost(raw: string): string | null {
  if (!raw || /[\s/?#@\\%]/.test(raw)) return null;
  let hostname: string;
  try {
    hostname = new URL(`http://${raw}/`).hostname;
  } catch {
    return null;
  }
  const host = matchableHost(hostname);
  if (isIP(host)) return host;
  const labels = host.split(".");
  if (labels.length === 0 || host.length > 253 || !labels.every((l) => LABEL.test(l))) return null;
  // A name of digits only would be an IPv4 address in another spelling; the URL parser has already turned those into dotted form.
  if (labels.every((l) => /^\d+$/.test(l))) return null;
  return host;
}

/** Parses one admin-written pattern; null when it is not a host pattern. */
export function parseHostPattern(raw: string): HostPattern | null {
  const s = raw.trim().toLowerCase();
  if (s === "*") return { text: "*", wildcard: "any", host: "" };
  // [v6]:port, [v6], host:port, host
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(s);
  if (!m) return null;
  const port = m[2] === undefined ? undefined : Number(m[2]);
  if (port !== undefined && (port < 1 || port > 65535)) return null;
  let hostPart = m[1]!;
  let wildcard: HostPattern["wildcard"] = "none";
  if (hostPart.startsWith("*.")) {
    wildcard = "subdomains";
    hostPart = hostPart.slice(2);
  }
  const host = canonicalHost(hostPart);
  if (!host || (wildcard === "subdomains" && (isIP(host) || !host.includes(".")))) return null;
  const shown = (wildcard === "subdomains" ? "*." : "") + (isIP(host) === 6 ? `[${host}]` : host);
  return { text: port === undefined ? shown : `${shown}:${port}`, wildcard, host, port };
}

/** True when the host (as the URL parser gave it) and port match one of the patterns. */
export function hostAllowed(patterns: readonly HostPattern[], hostname: string, port: number): boolean {
  const host = matchableHost(hostname);
  return patterns.some((p) => {
    if (p.port !== undefined && p.port !== port) return false;
    if (p.wildcard === "any") return true;
    if (p.wildcard === "subdomains") return host.endsWith(`.${p.host}`);
    return host === p.host;
  });
}
