import { describe, expect, it } from "vitest";
import { embeddedIpv4, isSpecialAddress, parseRange, rangeList } from "./addresses";
import { hostAllowed, parseHostPattern, type HostPattern } from "./host-patterns";

describe("special addresses", () => {
  it.each([
    "127.0.0.1",
    "127.255.0.9",
    "0.0.0.0",
    "10.1.2.3",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "224.0.0.1",
    "255.255.255.255",
    "::1",
    "::",
    "[::1]",
    "::ffff:127.0.0.1",
    "::ffff:7f00:1",
    "0:0:0:0:0:ffff:7f00:1",
    "::ffff:169.254.169.254",
    "::ffff:a9fe:a9fe",
    "64:ff9b::a9fe:a9fe",
    "fc00::1",
    "fd00:ec2::254",
    "fe80::1",
    "fe80::1%eth0",
    "ff02::1",
    "not-an-address",
  ])("%s is special", (a) => expect(isSpecialAddress(a)).toBe(true));

  it.each(["93.184.215.14", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700::6810:84e5", "::ffff:8.8.8.8"])("%s is public", (a) =>
    expect(isSpecialAddress(a)).toBe(false),
  );

  it("reads the IPv4 address inside mapped and NAT64 IPv6 forms", () => {
    expect(embeddedIpv4("::ffff:7f00:1")).toBe("127.0.0.1");
    expect(embeddedIpv4("::ffff:10.0.0.5")).toBe("10.0.0.5");
    expect(embeddedIpv4("64:ff9b::0a00:0001")).toBe("10.0.0.1");
    expect(embeddedIpv4("2001:db8::1")).toBeNull();
  });
});

describe("ranges an admin opens", () => {
  it("parses addresses and CIDR ranges, canonical, and refuses anything else", () => {
    expect(parseRange("127.0.0.1")?.text).toBe("127.0.0.1");
    expect(parseRange("10.0.0.0/8")?.text).toBe("10.0.0.0/8");
    expect(parseRange("fd00::/8")?.text).toBe("fd00::/8");
    expect(parseRange("[::1]")?.text).toBe("::1");
    for (const bad of ["10.0.0.0/33", "::/129", "localhost", "10.0.0.0/8/8", "", "*"]) expect(parseRange(bad), bad).toBeNull();
  });

  it("an opened range covers its addresses and their IPv4-mapped forms, nothing else", () => {
    const open = rangeList(["127.0.0.1/32", "10.0.0.0/8"]);
    expect(open("127.0.0.1")).toBe(true);
    expect(open("::ffff:127.0.0.1")).toBe(true);
    expect(open("10.200.0.1")).toBe(true);
    expect(open("127.0.0.2")).toBe(false);
    expect(open("169.254.169.254")).toBe(false);
    expect(open("::1")).toBe(false);
    expect(rangeList([])("127.0.0.1")).toBe(false);
  });
});

describe("host patterns", () => {
  const p = (...raw: string[]) => raw.map((r) => parseHostPattern(r)).filter((x): x is HostPattern => x !== null);

  it("keeps the canonical form and refuses what is not a host pattern", () => {
    expect(parseHostPattern("API.Example.com")?.text).toBe("api.example.com");
    expect(parseHostPattern("*.example.com")?.text).toBe("*.example.com");
    expect(parseHostPattern("api.example.com:8443")?.text).toBe("api.example.com:8443");
    expect(parseHostPattern("[::1]:3001")?.text).toBe("[::1]:3001");
    expect(parseHostPattern("0177.0.0.1")?.text).toBe("127.0.0.1");
    expect(parseHostPattern("*")?.text).toBe("*");
    for (const bad of [
      "http://example.com",
      "example.com/path",
      "user@example.com",
      "*.com",
      "*.10.0.0.1",
      "a..b",
      "example.com:0",
      "example.com:70000",
      "",
      "exa mple.com",
      "*example.com",
    ]) {
      expect(parseHostPattern(bad), bad).toBeNull();
    }
  });

  it("matches exact hosts, subdomains of a wildcard, and ports when given", () => {
    const patterns = p("api.example.com", "*.corp.example", "mcp.example.org:8443");
    expect(hostAllowed(patterns, "api.example.com", 443)).toBe(true);
    expect(hostAllowed(patterns, "API.EXAMPLE.COM.", 80)).toBe(true);
    expect(hostAllowed(patterns, "x.api.example.com", 443)).toBe(false);
    expect(hostAllowed(patterns, "a.b.corp.example", 443)).toBe(true);
    expect(hostAllowed(patterns, "corp.example", 443)).toBe(false);
    expect(hostAllowed(patterns, "evilcorp.example", 443)).toBe(false);
    expect(hostAllowed(patterns, "mcp.example.org", 8443)).toBe(true);
    expect(hostAllowed(patterns, "mcp.example.org", 443)).toBe(false);
    expect(hostAllowed(p("[::1]"), "[::1]", 80)).toBe(true);
    expect(hostAllowed([], "api.example.com", 443)).toBe(false);
  });
});
