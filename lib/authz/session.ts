import { redirect } from "next/navigation";
import { getDb } from "@/db/client";
import { auth } from "@/lib/auth/auth";
import { AppError, unauthenticated } from "@/lib/errors";
import { clientAddress, rateCount, rateLimit } from "./rate-limit";
import type { Actor } from "./actor";
import { actorForToken, actorForUser } from "./load-user";
import { can, type Permission } from "./permissions";

/** The signed-in person's actor, re-read from the database, or null. */
export async function sessionActor(): Promise<Actor | null> {
  const session = await auth();
  const uid = session?.user?.id;
  if (!uid) return null;
  // Sessions from before Attest knew when they began are treated as beginning at time 0: void once voided.
  return actorForUser(await getDb(), uid, (session as { signedInAt?: number }).signedInAt ?? 0);
}

/**
 * For pages: the actor, or a redirect to sign-in. A signed-in person with no role yet (a first OIDC sign-in, or every
 * role removed) is sent to the "no role yet" page and sees no data, not even what they own.
 */
export async function requirePageActor(): Promise<Actor> {
  const actor = await sessionActor();
  if (!actor) redirect("/sign-in");
  if (actor.roles.length === 0) redirect("/no-role");
  return actor;
}

/** For pages: the actor holding any of `anyOf`, else a redirect to sign-in or the forbidden page. */
export async function requirePagePermission(...anyOf: [Permission, ...Permission[]]): Promise<Actor> {
  const actor = await requirePageActor();
  if (!anyOf.some((p) => can(actor, p))) redirect("/forbidden");
  return actor;
}

/** For route handlers: a bearer token first, else the session cookie; 401 when neither. */
export async function requestActor(req: Request): Promise<Actor> {
  const header = req.headers.get("authorization");
  if (header) {
    // Failed bearer attempts are limited per address, so tokens cannot be guessed at speed.
    const failures = `bearer-fail:${clientAddress(req.headers)}`;
    if (rateCount(failures) > 100) throw new AppError("rate_limited", "too many failed authentications; wait a minute");
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const actor = m?.[1] ? await actorForToken(await getDb(), m[1]) : null;
    if (!actor) {
      rateLimit(failures, 100, 60_000);
      throw unauthenticated();
    }
    return actor;
  }
  // No session cookie, no session: answer at once without asking Auth.js.
  if (!/(^|;\s*)(__Secure-)?authjs\.session-token(\.\d+)?=/.test(req.headers.get("cookie") ?? "")) throw unauthenticated();
  const actor = await sessionActor();
  if (!actor) throw unauthenticated();
  return actor;
}
