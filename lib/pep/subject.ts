import type { AuthInfo } from "@modelcontextprotocol/sdk/server/auth/types.js";
import { COAZ_SUBJECT_TYPE, type CallerIdentity } from "./coaz-mcp";

/**
 * Who the caller is, for each MCP request. The enforcement point never takes identity from the request's params: it
 * comes from configuration (a proxy started for one agent) or from the transport's validated token (`authInfo`, set by
 * the HTTP transport's bearer-auth middleware after it verified the token). Null = no identity: the call is refused.
 */
export type SubjectResolver = (info: { authInfo?: AuthInfo; sessionId?: string }) => CallerIdentity | null | Promise<CallerIdentity | null>;

/** One identity for every request: a proxy started for one agent (`--subject agt_…`). */
export function staticSubject(opts: { id: string; type?: string; agent?: string; properties?: Record<string, unknown> }): SubjectResolver {
  if (!opts.id) throw new Error("staticSubject needs an id");
  const identity: CallerIdentity = { subject: { type: opts.type ?? COAZ_SUBJECT_TYPE, id: opts.id } };
  if (opts.properties) identity.subject.properties = opts.properties;
  if (opts.agent) identity.agent = opts.agent;
  return () => identity;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * Identity from the validated token's claims, per COAZ-MCP: `subject.id` = the subject-identity claim (`sub` unless the
 * deployment designates an on-behalf-of claim), `context.agent` = `client_id` (AuthInfo.clientId, else the claim), and
 * the RFC 8693 actor (`act`: `sub`, `iss`, nested `act`) as `subject.properties.act`, as the access-request profile
 * carries it.
 *
 * Claims are read from `authInfo.extra.claims` (where your token verifier puts the verified claims) or from `claims`
 * if you pass it. The raw token is never decoded here: only claims someone verified are used.
 */
export function subjectFromAuthInfo(
  opts: { subjectClaim?: string; type?: string; claims?: (authInfo: AuthInfo) => Record<string, unknown> | undefined } = {},
): SubjectResolver {
  const claimName = opts.subjectClaim ?? "sub";
  return ({ authInfo }) => {
    if (!authInfo) return null;
    const claims = opts.claims ? opts.claims(authInfo) : isObject(authInfo.extra?.claims) ? authInfo.extra.claims : undefined;
    if (!claims) return null;
    const id = claims[claimName];
    if (typeof id !== "string" || id === "") return null;
    const identity: CallerIdentity = { subject: { type: opts.type ?? COAZ_SUBJECT_TYPE, id } };
    const act = actor(claims.act, 0);
    if (act) identity.subject.properties = { act };
    const agent = authInfo.clientId || (typeof claims.client_id === "string" ? claims.client_id : undefined);
    if (agent) identity.agent = agent;
    return identity;
  };
}

/** The `act` claim reduced to its identity members (sub, iss, nested act), at most 5 deep. */
function actor(v: unknown, depth: number): Record<string, unknown> | undefined {
  if (!isObject(v) || depth > 4) return undefined;
  const out: Record<string, unknown> = {};
  if (typeof v.sub === "string") out.sub = v.sub;
  if (typeof v.iss === "string") out.iss = v.iss;
  const inner = actor(v.act, depth + 1);
  if (inner) out.act = inner;
  return Object.keys(out).length > 0 ? out : undefined;
}
