import type { CredentialBrief, ItemFlag, OwnerBrief, ReasonTone, Recommendation, RecommendationEvidence } from "./model";
import { isHighRisk } from "./model";
import type { RecommendationFacts } from "./recommend-facts";

/** A peer group smaller than this (not counting the subject) says nothing: its share is not computed. */
export const MIN_PEERS = 3;
const NO_FACTS: RecommendationFacts = { peers: null, lastUsedAt: null, lastUseSource: null, lastUseScope: null, findings: [], privileged: false };

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
  /** Peers, last use, findings (lib/campaigns/recommend-facts.ts); absent: all unknown. */
  facts?: RecommendationFacts;
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

/** Peers holding the access at or above this share support approving it. */
export const PEERS_APPROVE_SHARE = 0.8;
/** Peers holding the access at or below this share: it is unusual for this subject. */
export const PEERS_RARE_SHARE = 0.2;
/** Used within this many days (the access itself): a sign it is needed. */
export const RECENT_USE_DAYS = 30;
/** Not used for more than this many days (the access, its account or credential): a sign it is not needed. */
export const UNUSED_DAYS = 90;

/** Subjects compared with peers (people by manager or department, agents and service accounts by blueprint). */
const PEERED_KINDS = new Set(["human", "agent", "service_account"]);

export interface Recommended {
  recommendation: Recommendation;
  reason: string;
  evidence: RecommendationEvidence;
}

const pct = (x: number) => `${Math.round(x * 100)}%`;
const daysText = (d: number) => (d === 0 ? "today" : d === 1 ? "1 day ago" : `${d} days ago`);

/**
 * The recommendation, its one-line reason, and the evidence behind it (one
 * line per factor, each marked for, against or neutral). In order:
 * - revoke when the access should not exist whatever else is known: the subject
 *   terminated or inactive, an agent acting for a terminated person, a
 *   hard-coded or expired credential; or when its use is known, older than
 *   UNUSED_DAYS, and at most PEERS_RARE_SHARE of a known peer group hold it
 *   (not for a subject on leave: that explains the silence); or when gateways' usage data has covered the tools it
 *   reaches for more than UNUSED_DAYS and shows no call by the subject in that time ("not used in 90 days");
 * - approve when it is unchanged since it was last certified and no finding on
 *   its subject or target appeared since;
 * - review when anything speaks against it: a danger or warning flag, a high or
 *   critical tool, a privileged target, an open finding, use older than UNUSED_DAYS;
 * - approve when the evidence supports it: at least PEERS_APPROVE_SHARE of the
 *   peer group hold it, or the access itself was used within RECENT_USE_DAYS
 *   and peers do not rarely hold it;
 * - otherwise review: nothing says it is needed (peers and use unknown or mixed).
 * "Unknown" never counts for or against: no peer group, no usage data.
 */
export function recommend(i: RecommendInput, flags: ItemFlag[], now: Date = new Date()): Recommended {
  const f = i.facts ?? NO_FACTS;
  const has = (code: string) => flags.some((x) => x.code === code);
  const reasons: string[] = [];
  const tones: ReasonTone[] = [];
  const line = (text: string, tone: ReasonTone) => {
    reasons.push(text);
    tones.push(tone);
  };

  // The factors, each explained, whatever the outcome.
  const danger = flags.find((x) => x.tone === "danger" && x.code !== "critical_tool");
  if (danger) line(danger.message, "against");
  const certifiedAt = i.lastCertified?.at ?? null;
  const newFindings = certifiedAt ? f.findings.filter((x) => x.firstSeenAt && x.firstSeenAt > certifiedAt) : [];
  if (i.lastCertified)
    line(
      `unchanged since last certified (${i.lastCertified.campaignName}, ${i.lastCertified.at.slice(0, 10)})${newFindings.length ? "; findings appeared since" : ""}`,
      newFindings.length ? "neutral" : "for",
    );
  else line("not certified before", "neutral");

  const peers = f.peers;
  const peered = PEERED_KINDS.has(i.subject.kind);
  if (peers)
    line(
      `${peers.holding} of ${peers.groupSize} peers (${peers.basis}) hold this (${pct(peers.share)})`,
      peers.share >= PEERS_APPROVE_SHARE ? "for" : peers.share <= PEERS_RARE_SHARE ? "against" : "neutral",
    );
  else if (peered) line(`no peer group to compare (fewer than ${MIN_PEERS} peers by manager, department or blueprint)`, "neutral");
  const rarePeers = !!peers && peers.share <= PEERS_RARE_SHARE;
  const strongPeers = !!peers && peers.share >= PEERS_APPROVE_SHARE;

  const age = ageInDays(f.lastUsedAt, now);
  const stale = age !== null && age > UNUSED_DAYS;
  const usedRecently = age !== null && f.lastUseScope === "access" && age <= RECENT_USE_DAYS;
  const src = f.lastUseSource ? ` (${f.lastUseSource})` : "";
  if (age === null) line("last use unknown", "neutral");
  else if (f.lastUseScope === "account")
    line(
      stale ? `account last active ${daysText(age)}${src}: unused since` : `account active ${daysText(age)}${src}; use of this access unknown`,
      stale ? "against" : "neutral",
    );
  else if (f.lastUseScope === "credential") line(`credential last used ${daysText(age)}${src}, by any of its users`, stale ? "against" : "neutral");
  else line(`last used ${daysText(age)}${src}`, stale ? "against" : usedRecently ? "for" : "neutral");

  // Gateways' usage data for the tools this access reaches: only once it has been seen for longer than UNUSED_DAYS
  // does "no call in UNUSED_DAYS" mean the access is unused (a company without telemetry is never told to revoke).
  const covered = ageInDays(f.usageCoveredSince ?? null, now);
  const unusedPerTelemetry = covered !== null && covered > UNUSED_DAYS && (age === null || age > UNUSED_DAYS);
  if (unusedPerTelemetry) line(`no tool call seen in ${UNUSED_DAYS} days (gateway usage data since ${f.usageCoveredSince!.slice(0, 10)})`, "against");

  const highRisk = isHighRisk(i.toolRisk);
  if (i.toolRisk === "critical") line("reaches a critical-risk tool (one that declares itself destructive)", "against");
  else if (i.toolRisk === "high") line("reaches a high-risk tool", "against");
  else if (i.toolRisk) line(`reaches at most a ${i.toolRisk}-risk tool`, "for");
  else line("no tool reached", "neutral");
  if (f.privileged) line(`${i.target.name} is privileged (per its source)`, "against");

  if (f.findings.length === 0) line("no open findings on subject or target", "for");
  else {
    const [first] = f.findings;
    const more = f.findings.length > 1 ? ` and ${f.findings.length - 1} more` : "";
    line(`open finding: ${first!.title} (${first!.severity})${more}`, "against");
  }

  const done = (recommendation: Recommendation, reason: string): Recommended => ({
    recommendation,
    reason,
    evidence: {
      peers: f.peers,
      lastUsedAt: f.lastUsedAt,
      lastUseSource: f.lastUseSource,
      lastUseScope: f.lastUseScope,
      ...(f.usageCoveredSince ? { usageCoveredSince: f.usageCoveredSince } : {}),
      findings: f.findings,
      privileged: f.privileged,
      reasons,
      reasonTones: tones,
    },
  });

  if (has("subject_terminated")) return done("revoke", "revoke: subject terminated");
  if (has("subject_inactive")) return done("revoke", "revoke: subject inactive");
  if (has("acts_for_terminated")) return done("revoke", "revoke: the agent acts for a terminated person");
  if (i.targetCredential?.storage === "hard_coded") return done("revoke", "revoke: hard-coded credential");
  if (i.targetCredential?.expired) return done("revoke", "revoke: credential expired");
  // Leave explains an account's silence: no revoke for it alone.
  if (stale && rarePeers && i.subject.status !== "leave")
    return done("revoke", `revoke: unused for ${age} days and held by ${peers!.holding} of ${peers!.groupSize} peers`);
  if (unusedPerTelemetry && i.subject.status !== "leave") return done("revoke", `revoke: not used in ${UNUSED_DAYS} days`);
  if (i.lastCertified && newFindings.length === 0)
    return done("approve", `approve: unchanged since last certified (${i.lastCertified.campaignName}, ${i.lastCertified.at.slice(0, 10)})`);
  if (newFindings.length) return done("review", `review: new since last certified: ${newFindings[0]!.title}`);
  // The reason stays short; the flag itself names the credentials.
  if (danger) return done("review", `review: ${danger.message.replace(/ \(.*\)$/, "")}`);
  if (highRisk) return done("review", `review: ${i.toolRisk}-risk access, not certified before`);
  const warn = flags.find((x) => x.tone === "warn");
  if (warn) return done("review", `review: ${warn.message.replace(/ \(.*\)$/, "")}`);
  if (f.privileged) return done("review", "review: privileged access, not certified before");
  if (f.findings.length) return done("review", `review: open finding: ${f.findings[0]!.title}`);
  if (stale) return done("review", `review: unused for ${age} days`);
  const risk = i.toolRisk ? `${i.toolRisk}-risk` : "no tool reached";
  if (strongPeers) return done("approve", `approve: ${peers!.holding} of ${peers!.groupSize} peers hold it, ${risk}, no findings`);
  if (usedRecently && !rarePeers) return done("approve", `approve: used ${daysText(age!)}, ${risk}, no findings`);
  if (rarePeers) return done("review", `review: ${peers!.holding ? "only " : ""}${peers!.holding} of ${peers!.groupSize} peers hold it`);
  // Here use is unknown, only bounded (account, shared credential) or not recent, and peers neither rare nor many.
  if (peers) return done("review", `review: ${peers.holding} of ${peers.groupSize} peers hold it, no recent use of it known`);
  return done("review", peered ? "review: no peer group and no usage data to support it" : "review: no usage data to support it");
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
