import { z } from "zod";
import { apiRoute, parseQuery } from "@/lib/api/handler";
import { requirePermission } from "@/lib/authz/permissions";
import { kindViews } from "@/lib/connectors/manage";

export const dynamic = "force-dynamic";

/** The kinds of connector this server has, with the fields of their forms (import.read). */
export const GET = apiRoute(
  async ({ req, actor }) => {
    parseQuery(req, z.object({}).strict());
    requirePermission(actor, "import.read");
    const items = kindViews();
    return { items, total: items.length, nextCursor: null };
  },
  { anyOf: ["import.read"] },
);
