import { z } from "zod";
import type { ConnectorKind } from "@/db/schema";
import { DRIVERS } from "@/lib/connectors/drivers";
import type { AnyDriver } from "@/lib/connectors/types";
import { startFakeVendor, type FakeVendor } from "@/lib/testing/fake-vendor";

/**
 * For the route tests: a tiny connector driver answering from a local fake
 * vendor (a real HTTP server on 127.0.0.1), registered under a real kind for
 * the test's life and put back afterwards, so the vendor drivers' own tests
 * are untouched. The fake knows one good token; any other is refused (401).
 */
export interface FakeConnector {
  kind: ConnectorKind;
  vendor: FakeVendor;
  goodToken: string;
  /** People the fake lists (a test changes them between runs). */
  people: { id: string; name: string; email: string }[];
  restore(): Promise<void>;
}

export async function registerFakeConnector(kind: ConnectorKind, goodToken: string): Promise<FakeConnector> {
  const people = [
    { id: "u1", name: "Ada Lovelace", email: "ada@example.com" },
    { id: "u2", name: "Alan Turing", email: "alan@example.com" },
  ];
  const vendor = await startFakeVendor((req) => {
    if (req.headers.authorization !== `Bearer ${goodToken}`) return { status: 401, json: { message: "Bad credentials" } };
    if (req.path === "/me") return { json: { login: "fake-admin" } };
    if (req.path === "/people") return { json: { items: fake.people } };
    return undefined;
  });
  const previous = DRIVERS[kind];
  const driver: AnyDriver = {
    kind,
    label: "Fake vendor",
    format: "github-rest",
    sourceType: "test",
    settingsSchema: z.object({ baseUrl: z.url("must be a URL") }).strict(),
    credentialSchema: z.object({ token: z.string().min(8, "at least 8 characters") }).strict(),
    settingsFields: [{ name: "baseUrl", label: "API URL", required: true, placeholder: "https://api.example.com" }],
    credentialFields: [{ name: "token", label: "Token", required: true, secret: true }],
    defaultSettings: { baseUrl: "https://api.example.com" },
    hosts: (s: { baseUrl: string }) => [new URL(s.baseUrl).host],
    async test(ctx) {
      const r = await ctx.fetch(`${ctx.settings.baseUrl}/me`, { headers: { authorization: `Bearer ${ctx.credential.token}` } });
      if (!r.ok) throw new Error("refused");
      return `signed in as ${((await r.json()) as { login: string }).login}`;
    },
    async collect(ctx) {
      const r = await ctx.fetch(`${ctx.settings.baseUrl}/people`, { headers: { authorization: `Bearer ${ctx.credential.token}` } });
      if (!r.ok) throw new Error("refused");
      ctx.bundle.add("GET /people", await r.json());
    },
    convert(bundle, opts) {
      const pages = (bundle.pages("GET /people") ?? []) as { items: { id: string; name: string; email: string }[] }[];
      const nodes = pages.flatMap((p) => p.items).map((p) => ({ kind: "human" as const, externalId: p.id, name: p.name, attributes: { email: p.email } }));
      return {
        ok: true,
        document: { source: opts.source, mode: opts.mode, nodes, edges: [] },
        warnings: [],
        skipped: { nodes: 0, edges: 0 },
        merged: { nodes: 0, edges: 0 },
      };
    },
    readOffline: () => ({ ok: false, errors: [{ path: "file", message: "not supported by the fake" }] }),
  } as AnyDriver;
  DRIVERS[kind] = driver;
  const fake: FakeConnector = {
    kind,
    vendor,
    goodToken,
    people,
    async restore() {
      if (previous) DRIVERS[kind] = previous;
      else delete DRIVERS[kind];
      await vendor.close();
    },
  };
  return fake;
}
