import { commonErrors, page, queryParams, type PathItems } from "@/lib/api/openapi-kit";
import { TOOL_RISKS } from "@/lib/graph/tool-risk";
import { mcpServersQuerySchema } from "./mcp-servers";

const owner = {
  type: "object",
  properties: {
    first: {
      type: ["object", "null"],
      properties: { id: { type: "string" }, name: { type: "string" }, kind: { enum: ["human", "group"] }, active: { type: "boolean" } },
    },
    moreActive: { type: "integer" },
    active: { type: "integer" },
    total: { type: "integer" },
    inherited: { type: "boolean" },
  },
};

/** A page of a sortable table: where it starts, both cursors, the sort applied, and the server counts per risk. */
function withTableFields(p: ReturnType<typeof page>) {
  return {
    ...p,
    properties: {
      ...p.properties,
      offset: { type: "integer" },
      prevCursor: { type: ["string", "null"] },
      sort: { type: "string" },
      dir: { enum: ["asc", "desc"] },
      byRisk: { type: "object", properties: Object.fromEntries([...TOOL_RISKS, "none"].map((r) => [r, { type: "integer" }])) },
    },
  };
}

export const inventoryPaths: PathItems = {
  "/api/v1/mcp/servers": {
    get: {
      summary: "MCP servers with their counts, sorted and filtered on the server",
      description:
        'Current MCP servers, one page at a time (`cursor` from `nextCursor` / `prevCursor`). `sort`: name (natural order: "server 9" before "server 10"), tools, agents (principals with a connects_to edge), risk (the riskiest tool\'s level), findings (open findings about the server or its tools), owner (first owner\'s name), lastSeen; `dir` defaults to asc for name and owner, desc otherwise. `risk` keeps servers of that level (`none`: no tools); `q` searches name, URL and command. `byRisk` counts servers per level with `q` applied, before `risk`.',
      parameters: queryParams(mcpServersQuerySchema),
      responses: {
        "200": {
          description: "A page of servers",
          content: {
            "application/json": {
              schema: withTableFields(
                page({
                  type: "object",
                  properties: {
                    id: { type: "string" },
                    name: { type: "string" },
                    source: { type: "string" },
                    transport: { type: ["string", "null"] },
                    endpoint: { type: ["string", "null"] },
                    tools: { type: "integer" },
                    agents: { type: "integer" },
                    risk: { type: ["string", "null"], enum: [...TOOL_RISKS, null] },
                    findings: { type: "integer" },
                    owner,
                    lastSeenAt: { type: "string", format: "date-time" },
                  },
                }),
              ),
            },
          },
        },
        ...commonErrors,
      },
    },
  },
};
