import type { CredentialBrief, ItemFlag, OwnerBrief, Recommendation } from "./model";
import { isHighRisk } from "./model";

const DAY_MS = 86_400_000;
/** A credential not rotated for this long is flagged. */
export const ROTATION_DAYS = 365;

export interface RecommendInput {
  subject: { kind: string; status: string | null; name: string };
  edgeKind: string;
  target: { kind: string; name: string };
  toolRisk: string | null;
  /** The target itself when it is a credential, then credentials the access reaches. */
  targetCredential: CredentialBrief | null;
  reachedCredentials: CredentialBrief[];
  targetOwners: OwnerBrief[];
  subjectActsFor: OwnerBrief[];
  lastCertified: { campaignName: string; at: string } | null;
}

/** Days between an ISO instant and `now` (whole days, never negative). */
export function ageInDays(iso: string | null | undefined, now: Date): number | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : Math.max(0, Math.floor((now.getTime() - t) / DAY_MS));
}

/** The findings a reviewer should see on an item, most serious first. */
export function itemFlags(i: RecommendInput): ItemFlag[] {
  const flags: ItemFlag[] = [];
  if (i.subject.status === "terminated") flags.push({ code: "subject_terminated", tone: "danger", message: `${i.subject.name} is terminated` });
  if (i.subject.status === "inactive") flags.push({ code: "subject_inactive", tone: "danger", message: `${i.subject.name} is inactive` });
  if (i.subject.status === "leave") flags.push({ code: "subject_on_leave", tone: "warn", message: `${i.subject.name} is on leave` });
  for (const p of i.subjectActsFor)
    if (p.status === "terminated") flags.push({ code: "acts_for_terminated", tone: "danger", message: `acts for ${p.name}, who is terminated` });
  const c = i.targetCredential;
  if (c) {
    if (c.storage === "hard_coded") flags.push({ code: "hard_coded_credential", tone: "danger", message: `${c.name} is hard-coded` });
    if (c.expired) flags.push({ code: "credential_expired", tone: "danger", message: `${c.name} has expired` });
    else if (c.ageDays !== null && c.ageDays > ROTATION_DAYS)
      flags.push({ code: "credential_stale", tone: "warn", message: `${c.name} not rotated for ${c.ageDays} days` });
  }
  // Credentials the access leads to (e.g. the ones an MCP server uses): one flag per problem, naming them all.
  const reached = (pred: (x: CredentialBrief) => boolean) =>
    i.reachedCredentials
      .filter(pred)
      .map((x) => x.name)
      .sort();
  const several = (names: string[], what: string) =>
    `reaches ${names.length === 1 ? `${/^[aeiou]/.test(what) ? "an" : "a"} ${what} credential` : `${names.length} ${what} credentials`} (${names.join("; ")})`;
  const hard = reached((x) => x.storage === "hard_coded");
  if (hard.length) flags.push({ code: "reaches_hard_coded_credential", tone: "danger", message: several(hard, "hard-coded") });
  const expired = reached((x) => x.expired);
  if (expired.length) flags.push({ code: "reaches_expired_credential", tone: "danger", message: several(expired, "expired") });
  const stale = reached((x) => !x.expired && x.ageDays !== null && x.ageDays > ROTATION_DAYS);
  if (stale.length) flags.push({ code: "reaches_stale_credential", tone: "warn", message: several(stale, `never-rotated (>${ROTATION_DAYS} days)`) });
  if (i.target.kind !== "human" && i.target.kind !== "group" && !i.targetOwners.some((o) => o.status !== "terminated")) {
    flags.push({ code: "target_orphaned", tone: "warn", message: `${i.target.name} has no active owner` });
  }
  if (i.toolRisk === "critical")
    flags.push({ code: "critical_tool", tone: "danger", message: "reaches a critical-risk tool (one that declares itself destructive)" });
  else if (i.toolRisk === "high") flags.push({ code: "high_risk_tool", tone: "warn", message: "reaches a high-risk tool" });
  return flags;
}

/**
 * The recommendation and its reason. Revoke when the access should not exist
 * whatever the reviewer knows (a departed subject, a hard-coded or expired
 * credential); approve when nothing changed since the last certification or
 * when the access is low-risk with no findings; otherwise ask for a review.
 */
export function recommend(i: RecommendInput, flags: ItemFlag[]): { recommendation: Recommendation; reason: string } {
  const has = (code: string) => flags.some((f) => f.code === code);
  if (has("subject_terminated")) return { recommendation: "revoke", reason: "revoke: subject terminated" };
  if (has("subject_inactive")) return { recommendation: "revoke", reason: "revoke: subject inactive" };
  if (has("acts_for_terminated")) return { recommendation: "revoke", reason: "revoke: the agent acts for a terminated person" };
  if (i.targetCredential?.storage === "hard_coded") return { recommendation: "revoke", reason: "revoke: hard-coded credential" };
  if (i.targetCredential?.expired) return { recommendation: "revoke", reason: "revoke: credential expired" };
  if (i.lastCertified)
    return {
      recommendation: "approve",
      reason: `approve: unchanged since last certified (${i.lastCertified.campaignName}, ${i.lastCertified.at.slice(0, 10)})`,
    };
  const danger = flags.find((f) => f.tone === "danger");
  // The reason stays short; the flag itself names the credentials.
  if (danger) return { recommendation: "review", reason: `review: ${danger.message.replace(/ \(.*\)$/, "")}` };
  if (isHighRisk(i.toolRisk)) return { recommendation: "review", reason: `review: ${i.toolRisk}-risk access, not certified before` };
  const warn = flags.find((f) => f.tone === "warn");
  if (warn) return { recommendation: "review", reason: `review: ${warn.message.replace(/ \(.*\)$/, "")}` };
  return { recommendation: "approve", reason: i.toolRisk ? `approve: ${i.toolRisk}-risk access, no findings` : "approve: no tool reached, no findings" };
}

/** A credential as a reviewer needs it: storage, age since rotation, expiry. */
export function credentialBrief(id: string, name: string, attrs: Record<string, unknown>, now: Date): CredentialBrief {
  const str = (k: string) => (typeof attrs[k] === "string" ? (attrs[k] as string) : null);
  const expiresAt = str("expiresAt");
  const expiresMs = expiresAt ? Date.parse(expiresAt) : NaN;
  return {
    id,
    name,
    storage: str("storage"),
    ageDays: ageInDays(str("lastRotatedAt") ?? str("issuedAt"), now),
    expiresAt,
    expired: !Number.isNaN(expiresMs) && expiresMs <= now.getTime(),
  };
}
