import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { sources } from "@/db/schema";
import { clientAddress, rateCount, rateLimit } from "@/lib/authz/rate-limit";
import { hashToken } from "@/lib/authz/tokens";
import { ScimError } from "./errors";

/** The source a SCIM request writes to: the one whose token it carries. */
export interface ScimSource {
  id: string;
  name: string;
}

const unauthorized = () => new ScimError(401, undefined, "send this source's SCIM token as Authorization: Bearer <token>");

/**
 * Resolves the bearer token to its source. Only the SHA-256 of a token is stored,
 * so the lookup is by hash: a wrong token, an API token or the bootstrap token
 * all find nothing and answer 401 alike. A rotated token stops working at once.
 * Failed attempts count against the same per-address budget as the API's bearer
 * tokens (lib/authz/session.ts): past it, every attempt answers 429 before the
 * token is looked at, right or wrong. A disabled source's token answers 403.
 */
export async function authenticateScim(db: Db, req: Request): Promise<ScimSource> {
  const failures = `bearer-fail:${clientAddress(req.headers)}`;
  if (rateCount(failures) > 100) throw new ScimError(429, undefined, "too many failed authentications; wait a minute");
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.get("authorization") ?? "");
  const [src] =
    m?.[1] && m[1].length <= 512
      ? await db
          .select({ id: sources.id, name: sources.name, disabledAt: sources.disabledAt, lastUsedAt: sources.scimTokenLastUsedAt })
          .from(sources)
          .where(eq(sources.scimTokenHash, hashToken(m[1])))
          .limit(1)
      : [];
  if (!src) {
    rateLimit(failures, 100, 60_000);
    throw unauthorized();
  }
  // The caller holds the source's own token, so saying the source is disabled tells them nothing they could probe for.
  if (src.disabledAt) throw new ScimError(403, undefined, "this SCIM source is disabled in Attest; an administrator can enable it again");
  // "Last used" for the admin page, written at most once a minute so a busy sync does not write on every call.
  const now = new Date();
  if (!src.lastUsedAt || now.getTime() - src.lastUsedAt.getTime() > 60_000) {
    await db.update(sources).set({ scimTokenLastUsedAt: now }).where(eq(sources.id, src.id));
  }
  return { id: src.id, name: src.name };
}
