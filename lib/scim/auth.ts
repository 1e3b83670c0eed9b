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
 * token is looked at, right or wrong.
 */
export async function authenticateScim(db: Db, req: Request): Promise<ScimSource> {
  const failures = `bearer-fail:${clientAddress(req.headers)}`;
  if (rateCount(failures) > 100) throw new ScimError(429, undefined, "too many failed authentications; wait a minute");
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.get("authorization") ?? "");
  const [src] = m?.[1] && m[1].length <= 512 ? await db.select({ id: sources.id, name: sources.name }).from(sources).where(eq(sources.scimTokenHash, hashToken(m[1]))).limit(1) : [];
  if (!src) {
    rateLimit(failures, 100, 60_000);
    throw unauthorized();
  }
  return src;
}
