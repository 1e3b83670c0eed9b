import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOutboundFetch, OutboundError, type OutboundOptions, type Resolver } from "./outbound";

const SECRET = "INTERNAL-ADMIN-SECRET-42 db_password=hunter2";

/** A real server on 127.0.0.1 that counts the requests it gets and answers per path. */
interface Target {
  port: number;
  hits: { path: string; host?: string; body: string }[];
  close(): Promise<void>;
}
async function startTarget(handler: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void): Promise<Target> {
  const hits: Target["hits"] = [];
  const sockets = new Set<import("node:net").Socket>();
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      hits.push({ path: req.url ?? "", host: req.headers.host, body });
      handler(req, res, body);
    });
  });
  server.on("connection", (s) => (sockets.add(s), s.on("close", () => sockets.delete(s))));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: (server.address() as AddressInfo).port,
    hits,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

async function failureOf(p: Promise<unknown>): Promise<{ failure: string; message: string; details: unknown }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof OutboundError) return { failure: e.failure, message: e.message, details: e.details };
    throw e;
  }
  throw new Error("expected an OutboundError");
}

const loopbackOpen = { allowHosts: ["127.0.0.1"], allowPrivateRanges: ["127.0.0.1/32"] };
const fetchWith = (o: Partial<OutboundOptions> = {}) => createOutboundFetch({ policy: loopbackOpen, ...o });

let target: Target;
let secrets: Target;
beforeAll(async () => {
  secrets = await startTarget((_req, res) => res.writeHead(200, { "content-type": "text/plain", "x-secret": SECRET }).end(SECRET));
  target = await startTarget((req, res, body) => {
    const u = new URL(req.url!, "http://x");
    if (u.pathname === "/ok") return res.writeHead(200, { "content-type": "text/plain" }).end("hello");
    if (u.pathname === "/redirect") return res.writeHead(Number(u.searchParams.get("status") ?? 302), { location: u.searchParams.get("to")! }).end(SECRET);
    if (u.pathname === "/hang") return; // accepts, never answers
    if (u.pathname === "/stall") return res.writeHead(200, { "content-type": "text/plain" }).write("partial");
    if (u.pathname === "/big-declared") return res.writeHead(200, { "content-length": String(2 * 1024 * 1024) }).end(Buffer.alloc(2 * 1024 * 1024, 97));
    if (u.pathname === "/big-chunked") {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      for (let i = 0; i < 40; i++) res.write(Buffer.alloc(64 * 1024, 98));
      return res.end();
    }
    if (u.pathname === "/sse") {
      // Events written over time from the POST body: the caller reads them as they arrive.
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(`data: got ${body}\n\n`);
      setTimeout(() => res.end(`data: done\n\n`), 50);
      return;
    }
    res.writeHead(404).end();
  });
});
afterAll(async () => {
  await target.close();
  await secrets.close();
});

describe("what the outbound client may reach", () => {
  it("reaches a loopback server only when its host is allowed and its address range opened explicitly", async () => {
    const r = await fetchWith()(`http://127.0.0.1:${target.port}/ok`);
    expect(r.status).toBe(200);
    expect(await r.text()).toBe("hello");
    const hitsBefore = target.hits.length;
    expect((await failureOf(fetchWith({ policy: { allowHosts: ["127.0.0.1"], allowPrivateRanges: [] } })(`http://127.0.0.1:${target.port}/ok`))).failure).toBe(
      "blocked_address",
    );
    expect(
      (await failureOf(fetchWith({ policy: { allowHosts: [], allowPrivateRanges: ["127.0.0.1/32"] } })(`http://127.0.0.1:${target.port}/ok`))).failure,
    ).toBe("not_allowed");
    expect(
      (await failureOf(fetchWith({ policy: { allowHosts: ["api.example.com"], allowPrivateRanges: [] } })(`http://127.0.0.1:${target.port}/ok`))).failure,
    ).toBe("not_allowed");
    expect(target.hits.length, "refused requests never reach the server").toBe(hitsBefore);
  });

  it("refuses loopback, private, link-local and metadata addresses in every spelling, even with every host allowed", async () => {
    const open = fetchWith({ policy: { allowHosts: ["*"], allowPrivateRanges: [] } });
    const p = target.port;
    const urls = [
      `http://127.0.0.1:${p}/ok`,
      `http://localhost:${p}/ok`,
      `http://[::1]:${p}/ok`,
      `http://[::ffff:127.0.0.1]:${p}/ok`,
      `http://[0:0:0:0:0:ffff:7f00:1]:${p}/ok`,
      `http://2130706433:${p}/ok`,
      `http://0177.0.0.1:${p}/ok`,
      `http://0x7f.1:${p}/ok`,
      `http://0.0.0.0:${p}/ok`,
      "http://169.254.169.254/latest/meta-data/",
      "http://[fd00:ec2::254]/latest/meta-data/",
      "http://[::ffff:169.254.169.254]/",
      "http://10.0.0.1/",
      "http://192.168.1.1/",
      "http://100.64.0.1/",
      "http://[fe80::1]/",
    ];
    for (const u of urls) expect((await failureOf(open(u))).failure, u).toBe("blocked_address");
    expect(target.hits.some((h) => h.path === "/ok" && h.host !== `127.0.0.1:${p}`)).toBe(false);
  });

  it("allowing the metadata host by name does not open its address", async () => {
    const f = fetchWith({ policy: { allowHosts: ["169.254.169.254"], allowPrivateRanges: ["127.0.0.1/32"] } });
    expect((await failureOf(f("http://169.254.169.254/latest/meta-data/"))).failure).toBe("blocked_address");
  });

  it("an allowed name that resolves to loopback is refused; every resolved address is checked", async () => {
    const resolve: Resolver = async (host) =>
      host === "mcp.allowed.test"
        ? [{ address: "127.0.0.1", family: 4 }]
        : [
            { address: "93.184.215.14", family: 4 },
            { address: "10.0.0.7", family: 4 },
          ];
    const f = fetchWith({ policy: { allowHosts: ["*.allowed.test"], allowPrivateRanges: [] }, resolve });
    expect((await failureOf(f(`http://mcp.allowed.test:${target.port}/ok`))).failure).toBe("blocked_address");
    expect((await failureOf(f(`http://mixed.allowed.test:${target.port}/ok`))).failure).toBe("blocked_address");
  });

  it("resolves once and connects to the address it checked, whatever the name resolves to next", async () => {
    const answers = ["127.0.0.1", "169.254.169.254"];
    let calls = 0;
    const resolve: Resolver = async () => [{ address: answers[Math.min(calls++, 1)]!, family: 4 }];
    const f = fetchWith({ policy: { allowHosts: ["rebind.test"], allowPrivateRanges: ["127.0.0.1/32"] }, resolve });
    const r = await f(`http://rebind.test:${target.port}/ok`);
    expect(await r.text()).toBe("hello");
    expect(calls).toBe(1);
    expect(target.hits.at(-1)?.host).toBe(`rebind.test:${target.port}`);
    // The next request asks again, and this time the answer is refused before any connection.
    expect((await failureOf(f(`http://rebind.test:${target.port}/ok`))).failure).toBe("blocked_address");
    expect(calls).toBe(2);
  });

  it("a name that does not resolve is a dns_failure", async () => {
    const resolve: Resolver = async () => {
      throw Object.assign(new Error("getaddrinfo ENOTFOUND"), { code: "ENOTFOUND" });
    };
    const f = fetchWith({ policy: { allowHosts: ["*"], allowPrivateRanges: [] }, resolve });
    expect((await failureOf(f("http://nothing.test/"))).failure).toBe("dns_failure");
  });

  it("a name whose resolution never ends is a timeout", async () => {
    const resolve: Resolver = () => new Promise(() => undefined);
    const f = fetchWith({ policy: { allowHosts: ["*"], allowPrivateRanges: [] }, resolve, timeoutMs: 200 });
    expect((await failureOf(f("http://slow-dns.test/"))).failure).toBe("timeout");
  });

  it("a caller cannot choose the Host header (another virtual host behind the same address)", async () => {
    const r = await fetchWith()(`http://127.0.0.1:${target.port}/ok`, {
      headers: { host: "admin.internal", "transfer-encoding": "chunked", "x-caller": "kept" },
    });
    expect(r.status).toBe(200);
    await r.text();
    expect(target.hits.at(-1)?.host).toBe(`127.0.0.1:${target.port}`);
  });

  it("only http and https", async () => {
    expect((await failureOf(fetchWith({ policy: { allowHosts: ["*"], allowPrivateRanges: ["0.0.0.0/0"] } })("ftp://127.0.0.1/"))).failure).toBe("not_allowed");
  });
});

describe("answers and failures", () => {
  it("follows no redirect: a 3xx to a private address fails as redirect and the target is never asked", async () => {
    for (const status of [301, 302, 303, 307, 308]) {
      const to = encodeURIComponent(`http://127.0.0.1:${secrets.port}/`);
      const e = await failureOf(
        fetchWith()(`http://127.0.0.1:${target.port}/redirect?status=${status}&to=${to}`, {
          method: status >= 307 ? "POST" : "GET",
          body: status >= 307 ? "{}" : undefined,
        }),
      );
      expect(e.failure).toBe("redirect");
      expect(JSON.stringify(e)).not.toContain("INTERNAL-ADMIN-SECRET");
    }
    expect(secrets.hits).toHaveLength(0);
  });

  it("sends a POST body and streams a server-sent-events answer as it arrives", async () => {
    const r = await fetchWith()(`http://127.0.0.1:${target.port}/sse`, {
      method: "POST",
      body: JSON.stringify({ jsonrpc: "2.0" }),
      headers: { "content-type": "application/json" },
    });
    expect(r.headers.get("content-type")).toBe("text/event-stream");
    const reader = r.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toBe('data: got {"jsonrpc":"2.0"}\n\n');
    let rest = "";
    for (let c = await reader.read(); !c.done; c = await reader.read()) rest += new TextDecoder().decode(c.value);
    expect(rest).toBe("data: done\n\n");
  });

  it("a server that never answers is a timeout, before or during the body", async () => {
    const failures: string[] = [];
    const f = fetchWith({ timeoutMs: 300, onFailure: (e) => failures.push(e.failure) });
    expect((await failureOf(f(`http://127.0.0.1:${target.port}/hang`))).failure).toBe("timeout");
    const r = await f(`http://127.0.0.1:${target.port}/stall`);
    expect((await failureOf(r.text())).failure).toBe("timeout");
    expect(failures).toEqual(["timeout", "timeout"]);
  });

  it("an answer over the size limit is too_large, whether declared or streamed", async () => {
    const f = fetchWith({ maxResponseBytes: 1024 * 1024 });
    expect((await failureOf(f(`http://127.0.0.1:${target.port}/big-declared`))).failure).toBe("too_large");
    const r = await f(`http://127.0.0.1:${target.port}/big-chunked`);
    expect((await failureOf(r.arrayBuffer())).failure).toBe("too_large");
  });

  it("a closed port is refused; TLS to a plain HTTP server fails as tls", async () => {
    const closed = await startTarget(() => undefined);
    const port = closed.port;
    await closed.close();
    expect((await failureOf(fetchWith()(`http://127.0.0.1:${port}/`))).failure).toBe("refused");
    expect((await failureOf(fetchWith()(`https://127.0.0.1:${target.port}/ok`))).failure).toBe("tls");
  });

  it("an abort from the caller ends the request as an abort, not as a failure class", async () => {
    const ctl = new AbortController();
    const p = fetchWith()(`http://127.0.0.1:${target.port}/hang`, { signal: ctl.signal });
    setTimeout(() => ctl.abort(), 20);
    await expect(p).rejects.toMatchObject({ name: "AbortError" });
  });

  it("an error names its class and never the remote's words", async () => {
    const r = await fetchWith({ maxResponseBytes: 10 })(`http://127.0.0.1:${secrets.port}/`);
    expect(r.statusText, "the reason phrase is remote text too").toBe("");
    const e = await failureOf(r.text());
    expect(e.failure).toBe("too_large");
    expect(e.details).toEqual([{ path: "url", message: expect.stringMatching(/^too_large: /) }]);
    expect(JSON.stringify(e)).not.toMatch(/INTERNAL-ADMIN|hunter2/);
  });
});
