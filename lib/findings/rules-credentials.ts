import { dateAttr, day, DAY_MS, isDisabled, nameList, severityOf, type RuleContext } from "./context";
import { EvidenceBuilder, type FoundFinding } from "./evidence";
import type { SnapEdge, SnapNode } from "./snapshot";

/** Current credentials that are not revoked (a status of inactive or terminated means revoked). */
function liveCredentials(ctx: RuleContext): SnapNode[] {
  return [...ctx.snap.nodes.values()].filter((n) => n.kind === "credential" && n.current && !isDisabled(n));
}

/** Edges touching each credential: who uses it, and what it is for. */
function credentialEdges(ctx: RuleContext): { usedBy: Map<string, SnapEdge[]>; usedFor: Map<string, SnapEdge[]> } {
  const usedBy = new Map<string, SnapEdge[]>();
  const usedFor = new Map<string, SnapEdge[]>();
  const push = (m: Map<string, SnapEdge[]>, k: string, e: SnapEdge) => {
    const l = m.get(k);
    if (l) l.push(e);
    else m.set(k, [e]);
  };
  for (const e of ctx.snap.edges) {
    if (e.kind === "uses_credential") push(usedBy, e.to, e);
    else if (e.kind === "credential_for") push(usedFor, e.from, e);
  }
  return { usedBy, usedFor };
}

function base(c: SnapNode, usedBy: SnapEdge[] | undefined, usedFor: SnapEdge[] | undefined): EvidenceBuilder {
  const b = new EvidenceBuilder().node(c.id);
  for (const e of [...(usedBy ?? []), ...(usedFor ?? [])].sort((x, y) => (x.id < y.id ? -1 : 1))) b.edge(e);
  return b;
}

/** NHI2: a credential stored hard-coded in a config file or repository (storage hard_coded or config_file by default). */
export function hardcodedSecrets(ctx: RuleContext): FoundFinding[] {
  const storages = new Set<string>(ctx.settings.hardcodedStorages);
  const { usedBy, usedFor } = credentialEdges(ctx);
  const out: FoundFinding[] = [];
  for (const c of liveCredentials(ctx)) {
    const storage = c.attributes.storage;
    if (typeof storage !== "string" || !storages.has(storage)) continue;
    const b = base(c, usedBy.get(c.id), usedFor.get(c.id)).attr(c.id, "storage", storage);
    for (const k of ["location", "type", "fingerprint"]) if (c.attributes[k] !== undefined) b.attr(c.id, k, c.attributes[k]);
    const where = typeof c.attributes.location === "string" ? `: ${c.attributes.location}` : "";
    out.push({
      rule: "hardcoded_secret",
      key: c.id,
      subjectId: c.id,
      subjectKind: "credential",
      subjectName: c.name,
      severity: severityOf(ctx, "hardcoded_secret"),
      title: `${c.name} is ${storage === "hard_coded" ? "hard-coded" : `stored in plain text (${storage.replace("_", " ")})`}${where}`,
      evidence: b.evidence,
    });
  }
  return out;
}

/** NHI7: a credential past the rotation policy, expired, or with no expiry. */
export function rotationFindings(ctx: RuleContext): FoundFinding[] {
  const { usedBy, usedFor } = credentialEdges(ctx);
  const policyMs = ctx.settings.rotationDays * DAY_MS;
  const out: FoundFinding[] = [];
  for (const c of liveCredentials(ctx)) {
    const expiresAt = dateAttr(c.attributes.expiresAt);
    const rotatedAt = dateAttr(c.attributes.lastRotatedAt) ?? dateAttr(c.attributes.issuedAt);
    const reasons: string[] = [];
    const parts: string[] = [];
    if (expiresAt && expiresAt.getTime() <= ctx.now.getTime()) {
      reasons.push("expired");
      parts.push(`expired on ${day(expiresAt)}`);
    }
    if (!expiresAt) {
      reasons.push("no_expiry");
      parts.push("has no expiry");
    }
    if (rotatedAt && ctx.now.getTime() - rotatedAt.getTime() > policyMs) {
      reasons.push("rotation_overdue");
      // The due date, not an age: the title stays the same from one day to the next.
      parts.push(`was due for rotation on ${day(new Date(rotatedAt.getTime() + policyMs))} (every ${ctx.settings.rotationDays} days)`);
    }
    if (reasons.length === 0) continue;
    const b = base(c, usedBy.get(c.id), usedFor.get(c.id));
    for (const k of ["issuedAt", "lastRotatedAt", "expiresAt", "storage"]) b.attr(c.id, k, c.attributes[k] ?? null);
    b.fact("reasons", reasons).fact("rotationDays", ctx.settings.rotationDays);
    out.push({
      rule: "credential_rotation",
      key: c.id,
      subjectId: c.id,
      subjectKind: "credential",
      subjectName: c.name,
      severity: severityOf(ctx, "credential_rotation"),
      title: `${c.name} ${parts.join(", ")}`,
      evidence: b.evidence,
    });
  }
  return out;
}

/** NHI9: one credential used by several identities or MCP servers (current, distinct users). */
export function sharedCredentials(ctx: RuleContext): FoundFinding[] {
  const { usedBy, usedFor } = credentialEdges(ctx);
  const out: FoundFinding[] = [];
  for (const c of liveCredentials(ctx)) {
    const users = (usedBy.get(c.id) ?? []).filter((e) => ctx.snap.nodes.get(e.from)?.current);
    const distinct = [...new Set(users.map((e) => e.from))];
    if (distinct.length < ctx.settings.sharedCredentialMinUsers) continue;
    const b = base(c, users, usedFor.get(c.id)).fact("users", distinct.length).fact("threshold", ctx.settings.sharedCredentialMinUsers);
    if (c.attributes.fingerprint !== undefined) b.attr(c.id, "fingerprint", c.attributes.fingerprint);
    const names = distinct.map((id) => ctx.snap.nodes.get(id)!.name).sort((a, z) => a.localeCompare(z));
    out.push({
      rule: "shared_credential",
      key: c.id,
      subjectId: c.id,
      subjectKind: "credential",
      subjectName: c.name,
      severity: severityOf(ctx, "shared_credential"),
      title: `${c.name} is used by ${distinct.length} identities or servers: ${nameList(names)}`,
      evidence: b.evidence,
    });
  }
  return out;
}
