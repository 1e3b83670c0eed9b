import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { rows } from "@/db/rows";
import { decodeCursor, encodeCursor } from "@/lib/api/cursor";
import type { Actor } from "@/lib/authz/actor";
import type { NodeKind } from "@/lib/graph/model";
import { boundedLimit, hubNode, type SectionPage, type SectionQuery } from "./common";

/**
 * A credential as the hub shows it: where the secret is kept and its
 * fingerprint, never a value (Attest stores none; only these named attributes
 * are read, so an attribute a source slipped a secret into is not shown either).
 */
export interface CredentialFacts {
  id: string;
  name: string;
  source: string;
  type: string | null;
  storage: string | null;
  fingerprint: string | null;
  location: string | null;
  issuedAt: string | null;
  lastRotatedAt: string | null;
  expiresAt: string | null;
  /** The expiry has passed (at the time of the request). */
  expired: boolean;
  current: boolean;
}

export interface CredentialRow {
  /** "uses": this node uses the credential; "for": the credential opens this node; "used_by"/"opens": seen from a credential. */
  relation: "uses" | "for" | "used_by" | "opens";
  edgeId: string;
  /** The credential (for "uses"/"for") or the node at the other end (for "used_by"/"opens"). */
  credential: CredentialFacts | null;
  other: { id: string; kind: NodeKind; name: string } | null;
}

const text = (v: unknown) => (typeof v === "string" && v.length <= 500 ? v : null);
const instant = (v: unknown) => (typeof v === "string" && !Number.isNaN(Date.parse(v)) ? new Date(v).toISOString() : null);

export function credentialFacts(
  r: { id: string; name: string; source: string; attributes: Record<string, unknown>; current: boolean },
  now: Date = new Date(),
): CredentialFacts {
  const a = r.attributes;
  const expiresAt = instant(a.expiresAt);
  return {
    id: r.id,
    name: r.name,
    source: r.source,
    type: text(a.type),
    storage: text(a.storage),
    fingerprint: text(a.fingerprint),
    location: text(a.location),
    issuedAt: instant(a.issuedAt),
    lastRotatedAt: instant(a.lastRotatedAt),
    expiresAt,
    expired: expiresAt !== null && Date.parse(expiresAt) <= now.getTime(),
    current: r.current,
  };
}

interface Row {
  relation: CredentialRow["relation"];
  edge_id: string;
  id: string;
  kind: NodeKind;
  name: string;
  source: string;
  attributes: Record<string, unknown>;
  current: boolean;
}

const isCursor = (v: unknown): v is [string, string] => Array.isArray(v) && v.length === 2 && typeof v[0] === "string" && typeof v[1] === "string";

/**
 * The credentials around a node, by name (graph.read): those it uses
 * (uses_credential out) and those for it (credential_for in); for a credential
 * itself, its own facts and who uses it and what it opens. Current edges only,
 * each side an index range (edges_from_kind_to_idx / edges_to_kind_from_idx).
 */
export async function listNodeCredentials(
  db: Db,
  actor: Actor,
  rawId: string,
  q: SectionQuery = {},
): Promise<SectionPage<CredentialRow> & { self: CredentialFacts | null }> {
  const node = await hubNode(db, actor, rawId, "credentials");
  const limit = boundedLimit(q.limit);
  const after = q.cursor ? decodeCursor(q.cursor, isCursor) : null;
  const isCredential = node.kind === "credential";
  const sides = isCredential
    ? sql`select 'used_by' as relation, e.id as edge_id, e.from_id as other_id from edges e where e.to_id = ${node.id} and e.kind = 'uses_credential' and e.valid_to is null
        union all
        select 'opens', e.id, e.to_id from edges e where e.from_id = ${node.id} and e.kind = 'credential_for' and e.valid_to is null`
    : sql`select 'uses' as relation, e.id as edge_id, e.to_id as other_id from edges e where e.from_id = ${node.id} and e.kind = 'uses_credential' and e.valid_to is null
        union all
        select 'for', e.id, e.from_id from edges e where e.to_id = ${node.id} and e.kind = 'credential_for' and e.valid_to is null`;
  const found = await rows<Row>(
    db,
    sql`select x.relation, x.edge_id, n.id, n.kind, n.name, s.name as source, n.attributes, (n.valid_to is null) as current
      from (${sides}) x join nodes n on n.id = x.other_id join sources s on s.id = n.source_id
      ${after ? sql`where (n.name, x.edge_id) > (${after[0]}, ${after[1]})` : sql``}
      order by n.name, x.edge_id
      limit ${limit + 1}`,
  );
  const items = found
    .slice(0, limit)
    .map((r): CredentialRow =>
      isCredential
        ? { relation: r.relation, edgeId: r.edge_id, credential: null, other: { id: r.id, kind: r.kind, name: r.name } }
        : { relation: r.relation, edgeId: r.edge_id, credential: credentialFacts(r), other: null },
    );
  const last = found[limit - 1];
  return {
    items,
    self: isCredential
      ? credentialFacts({ id: node.id, name: node.name, source: node.source, attributes: node.attributes, current: node.validTo === null })
      : null,
    nextCursor: found.length > limit && last ? encodeCursor([last.name, last.edge_id]) : null,
  };
}
