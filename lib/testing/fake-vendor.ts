import { readFileSync } from "node:fs";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import path from "node:path";

/**
 * A local stand-in for a vendor's API: a real HTTP (or HTTPS, with the test
 * CA of lib/testing/tls) server on 127.0.0.1 that the vendor's SDK is pointed
 * at by its documented endpoint option. Each fake (lib/connectors/<vendor>/
 * testing/) routes requests to answers taken from the vendor's published
 * examples; this records every request so a test can assert what was called.
 */
export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  body: string;
}

export type FakeAnswer = { status?: number; headers?: Record<string, string | undefined>; json?: unknown; text?: string };
export type FakeRoute = (req: FakeRequest) => FakeAnswer | undefined | Promise<FakeAnswer | undefined>;

export interface FakeVendor {
  url: string;
  port: number;
  requests: FakeRequest[];
  /** Replaces how requests are answered (a test changes the vendor's data between runs). */
  setRoute(route: FakeRoute): void;
  close(): Promise<void>;
}

const TLS_DIR = path.resolve(import.meta.dirname, "tls");

export async function startFakeVendor(route: FakeRoute, opts: { tls?: boolean } = {}): Promise<FakeVendor> {
  let current = route;
  const requests: FakeRequest[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://fake");
      const r: FakeRequest = {
        method: req.method ?? "GET",
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      requests.push(r);
      Promise.resolve()
        .then(() => current(r))
        .then((a) => {
          const answer = a ?? { status: 404, json: { message: "Not Found" } };
          const text = answer.text ?? (answer.json !== undefined ? JSON.stringify(answer.json) : "");
          const headers = Object.fromEntries(Object.entries(answer.headers ?? {}).filter((e): e is [string, string] => e[1] !== undefined));
          res.writeHead(answer.status ?? 200, { "content-type": answer.json !== undefined ? "application/json" : "text/plain", ...headers });
          res.end(text);
        })
        .catch(() => {
          res.writeHead(500, { "content-type": "application/json" });
          res.end('{"message":"fake failed"}');
        });
    });
  };
  const server = opts.tls
    ? https.createServer({ cert: readFileSync(path.join(TLS_DIR, "server.pem")), key: readFileSync(path.join(TLS_DIR, "server-key.pem")) }, handler)
    : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${opts.tls ? "https" : "http"}://${opts.tls ? "localhost" : "127.0.0.1"}:${port}`,
    port,
    requests,
    setRoute: (r) => (current = r),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
