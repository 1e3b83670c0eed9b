import type { Sample, Samples } from "./pages";

/** Reads an API path as the signed-in visitor: the JSON body, or null when the answer is 404. */
export type ApiGet = (path: string) => Promise<unknown>;

/**
 * The nodes the node pages are opened on: a big group and a big MCP server. At M (the generated organisation,
 * lib/bench/dataset.ts) these named ones are the biggest of their kind (a super-connected group holding most
 * principals; the GitHub server with the most tools); elsewhere (the demo) the first node of the kind.
 */
const NODE_SAMPLES = [
  { label: "group", kind: "group", refs: ["synthetic-org:group:g-super-000", "synthetic-org:group:g-all-staff"] },
  { label: "MCP server", kind: "mcp_server", refs: ["synthetic-org:mcp_server:github-00000"] },
] as const;

interface Listing<T> {
  items: T[];
}

async function firstNode(get: ApiGet, kind: string, refs: readonly string[]): Promise<string | null> {
  for (const ref of refs) {
    const node = (await get(`/api/v1/nodes/${encodeURIComponent(ref)}`)) as { id: string } | null;
    if (node) return node.id;
  }
  const list = (await get(`/api/v1/nodes?kind=${kind}&limit=1`)) as Listing<{ id: string }> | null;
  return list?.items[0]?.id ?? null;
}

/**
 * Real ids for the app's dynamic pages, read through its API as an admin: the node samples above, the campaign with
 * the most items, an open finding (any finding when none is open), the latest import, a trigger rule. A route whose sample cannot be found (an empty
 * database) gets none, and the page walk then says which.
 */
export async function resolvePageSamples(get: ApiGet): Promise<Samples> {
  const nodes: Sample[] = [];
  for (const s of NODE_SAMPLES) {
    const id = await firstNode(get, s.kind, s.refs);
    if (id) nodes.push({ label: s.label, params: { id } });
  }
  const campaigns = ((await get("/api/v1/campaigns")) as Listing<{ id: string; counts: { items: number } }> | null)?.items ?? [];
  const biggest = [...campaigns].sort((a, b) => b.counts.items - a.counts.items)[0];
  const open = (await get("/api/v1/findings?status=open&limit=1")) as Listing<{ id: string }> | null;
  const finding = open?.items[0] ?? ((await get("/api/v1/findings?limit=1")) as Listing<{ id: string }> | null)?.items[0];
  const server = nodes.find((n) => n.label === "MCP server");
  const latestImport = ((await get("/api/v1/imports?limit=1")) as Listing<{ id: string }> | null)?.items[0];
  const rule = ((await get("/api/v1/campaigns/triggers")) as { items: { id: string }[] } | null)?.items[0];
  return {
    "/nodes/[id]": nodes,
    "/ownership/nodes/[id]": nodes,
    "/campaigns/[id]": biggest ? [{ label: `campaign, ${biggest.counts.items} items`, params: { id: biggest.id } }] : [],
    "/findings/[id]": finding ? [{ label: "finding", params: { id: finding.id } }] : [],
    "/mcp/[id]": server ? [server] : [],
    "/imports/[id]": latestImport ? [{ label: "latest import", params: { id: latestImport.id } }] : [],
    "/campaigns/triggers/[id]": rule ? [{ label: "trigger rule", params: { id: rule.id } }] : [],
  };
}

/**
 * A reviewer's own ids: reviewers see only what they own (anything else answers "not found"), so they open the node
 * pages on the first node they own. None when they own nothing.
 */
export async function resolveReviewerSamples(getAsReviewer: ApiGet): Promise<Samples> {
  const mine = (await getAsReviewer("/api/v1/ownership/mine?limit=1")) as Listing<{ id: string; kind: string }> | null;
  const own = mine?.items[0];
  const nodes: Sample[] = own ? [{ label: `own ${own.kind.replace("_", " ")}`, params: { id: own.id } }] : [];
  return { "/nodes/[id]": nodes, "/ownership/nodes/[id]": nodes };
}
