import { z } from "zod";
import { getDb } from "@/db/client";
import { listAppUsers } from "@/lib/admin/app-users";
import { apiRoute, parseQuery } from "@/lib/api/handler";

export const dynamic = "force-dynamic";

export const GET = apiRoute(
  async ({ req, actor }) => {
    parseQuery(req, z.object({}).strict());
    return listAppUsers(await getDb(), actor);
  },
  { anyOf: ["admin.users"] },
);
