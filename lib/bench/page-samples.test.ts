import { describe, expect, it } from "vitest";
import { resolvePageSamples, resolveReviewerSamples } from "./page-samples";

function fakeApi(answers: Record<string, unknown>) {
  const asked: string[] = [];
  const get = async (path: string) => {
    asked.push(path);
    return answers[path] ?? null;
  };
  return { get, asked };
}

describe("the real ids the page walk opens dynamic pages on", () => {
  it("at M: the named big group and server, the campaign with the most items, an open finding", async () => {
    const api = fakeApi({
      "/api/v1/nodes/synthetic-org%3Agroup%3Ag-super-000": { id: "grp_super" },
      "/api/v1/nodes/synthetic-org%3Amcp_server%3Agithub-00000": { id: "mcp_gh" },
      "/api/v1/campaigns": {
        items: [
          { id: "cmp_small", counts: { items: 3 } },
          { id: "cmp_big", counts: { items: 900 } },
        ],
      },
      "/api/v1/findings?status=open&limit=1": { items: [{ id: "fnd_open" }] },
      "/api/v1/imports?limit=1": { items: [{ id: "imp_last" }] },
      "/api/v1/campaigns/triggers": { items: [{ id: "ctr_demo" }] },
    });
    const samples = await resolvePageSamples(api.get);
    expect(samples["/nodes/[id]"]).toEqual([
      { label: "group", params: { id: "grp_super" } },
      { label: "MCP server", params: { id: "mcp_gh" } },
    ]);
    expect(samples["/ownership/nodes/[id]"]).toEqual(samples["/nodes/[id]"]);
    expect(samples["/campaigns/[id]"]).toEqual([{ label: "campaign, 900 items", params: { id: "cmp_big" } }]);
    expect(samples["/findings/[id]"]).toEqual([{ label: "finding", params: { id: "fnd_open" } }]);
    expect(samples["/mcp/[id]"]).toEqual([{ label: "MCP server", params: { id: "mcp_gh" } }]);
    expect(samples["/imports/[id]"]).toEqual([{ label: "latest import", params: { id: "imp_last" } }]);
    expect(samples["/campaigns/triggers/[id]"]).toEqual([{ label: "trigger rule", params: { id: "ctr_demo" } }]);
    expect(api.asked).not.toContain("/api/v1/nodes?kind=group&limit=1");
  });

  it("elsewhere: the first node of each kind and any finding; nothing for what does not exist", async () => {
    const api = fakeApi({
      "/api/v1/nodes?kind=group&limit=1": { items: [{ id: "grp_1" }] },
      "/api/v1/nodes?kind=mcp_server&limit=1": { items: [] },
      "/api/v1/campaigns": { items: [] },
      "/api/v1/findings?status=open&limit=1": { items: [] },
      "/api/v1/findings?limit=1": { items: [{ id: "fnd_closed" }] },
    });
    const samples = await resolvePageSamples(api.get);
    expect(samples["/nodes/[id]"]).toEqual([{ label: "group", params: { id: "grp_1" } }]);
    expect(samples["/campaigns/[id]"]).toEqual([]);
    expect(samples["/findings/[id]"]).toEqual([{ label: "finding", params: { id: "fnd_closed" } }]);
    expect(samples["/mcp/[id]"]).toEqual([]);
    expect(samples["/imports/[id]"]).toEqual([]);
    expect(samples["/campaigns/triggers/[id]"]).toEqual([]);
  });

  it("a reviewer opens node pages on a node they own (anything else is not found for them)", async () => {
    const api = fakeApi({ "/api/v1/ownership/mine?limit=1": { items: [{ id: "agt_7", kind: "service_account" }] } });
    expect(await resolveReviewerSamples(api.get)).toEqual({
      "/nodes/[id]": [{ label: "own service account", params: { id: "agt_7" } }],
      "/ownership/nodes/[id]": [{ label: "own service account", params: { id: "agt_7" } }],
    });
    expect((await resolveReviewerSamples(fakeApi({ "/api/v1/ownership/mine?limit=1": { items: [] } }).get))["/ownership/nodes/[id]"]).toEqual([]);
  });
});
