import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OutboundError } from "@/lib/net/outbound";
import { discoverServer } from "./discover";

/** Limits of HTTP discovery, against real servers on 127.0.0.1 (opened explicitly, as an admin would). */
const outbound = { policy: { allowHosts: ["127.0.0.1"], allowPrivateRanges: ["127.0.0.1/32"] } };
let server: http.Server;
let port: number;
const sockets = new Set<Socket>();

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    const path = req.url ?? "";
    if (path === "/hang") return; // takes the request, never answers
    if (path === "/big-json")
      return res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ jsonrpc: "2.0", id: 0, result: { pad: "x".repeat(2 * 1024 * 1024) } }));
    if (path === "/big-sse") {
      res.writeHead(200, { "content-type": "text/event-stream" });
      for (let i = 0; i < 40; i++) res.write(`data: ${"y".repeat(64 * 1024)}\n\n`);
      return; // and keeps the stream open
    }
    res.writeHead(404).end();
  });
  server.on("connection", (s) => (sockets.add(s), s.on("close", () => sockets.delete(s))));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => server.close(r));
});

async function failure(url: string, options: Parameters<typeof discoverServer>[1]) {
  const e = await discoverServer({ transport: "http", url }, options).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(OutboundError);
  expect((e as OutboundError).status).toBe(400);
  return (e as OutboundError).failure;
}

describe("HTTP discovery limits", () => {
  it("a server that takes the request and never answers is a timeout (400, not 503)", async () => {
    expect(await failure(`http://127.0.0.1:${port}/hang`, { timeoutMs: 400, outbound })).toBe("timeout");
  });

  it("an answer over the size limit is too_large, as plain JSON or as an event stream", async () => {
    const limits = { ...outbound, maxResponseBytes: 1024 * 1024 };
    expect(await failure(`http://127.0.0.1:${port}/big-json`, { timeoutMs: 3000, outbound: limits })).toBe("too_large");
    expect(await failure(`http://127.0.0.1:${port}/big-sse`, { timeoutMs: 1500, outbound: limits })).toBe("too_large");
  });

  it("without an outbound policy nothing is reachable", async () => {
    expect(await failure(`http://127.0.0.1:${port}/big-json`, { timeoutMs: 1000 })).toBe("not_allowed");
  });
});
