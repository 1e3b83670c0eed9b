import { getDb } from "@/db/client";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { listNodesFor, listNodesQuerySchema } from "@/lib/graph/node-api";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async ({ req, actor }) => listNodesFor(await getDb(), actor, parseQuery(req, listNodesQuerySchema)), { anyOf: ["graph.read"] });
