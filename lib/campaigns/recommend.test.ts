import { describe, expect, it } from "vitest";
import { credentialBrief, itemFlags, PEERS_APPROVE_SHARE, recommend, UNUSED_DAYS, type RecommendInput } from "./recommend";
import type { RecommendationFacts } from "./recommend-facts";

const now = new Date("2026-11-01T00:00:00Z");
const base = (over: Partial<RecommendInput> = {}): RecommendInput => ({
  subject: { kind: "human", status: "active", name: "Mei" },
  edgeKind: "connects_to",
  target: { kind: "mcp_server", name: "github" },
  toolRisk: "low",
  targetCredential: null,
  reachedCredentials: [],
  targetOwners: [{ id: "o", name: "Priya", kind: "human", role: "business", status: "active" }],
  subjectActsFor: [],
  lastCertified: null,
  ...over,
});
const rec = (i: RecommendInput) => {
  const r = recommend(i, itemFlags(i), now);
  return { recommendation: r.recommendation, reason: r.reason };
};
const daysAgo = (n: number) => new Date(now.getTime() - n * 86_400_000).toISOString();
const facts = (over: Partial<RecommendationFacts> = {}): RecommendationFacts => ({
  peers: null,
  lastUsedAt: null,
  lastUseSource: null,
  lastUseScope: null,
  findings: [],
  privileged: false,
  ...over,
});
const peers = (holding: number, groupSize: number) => ({ basis: "same manager: Priya", groupSize, holding, share: holding / groupSize });

describe("recommendations", () => {
  it("recommends revoking access of a terminated subject", () => {
    expect(rec(base({ subject: { kind: "human", status: "terminated", name: "Viktor" } }))).toEqual({
      recommendation: "revoke",
      reason: "revoke: subject terminated",
    });
  });

  it("recommends revoking use of a hard-coded credential", () => {
    const cred = credentialBrief("c", "PAT", { storage: "hard_coded", lastRotatedAt: "2026-01-01T00:00:00Z" }, now);
    expect(rec(base({ edgeKind: "uses_credential", target: { kind: "credential", name: "PAT" }, targetCredential: cred })).reason).toBe(
      "revoke: hard-coded credential",
    );
  });

  it("recommends approving what is unchanged since it was last certified", () => {
    const r = rec(base({ toolRisk: "critical", lastCertified: { campaignName: "Q3 review", at: "2026-08-01T00:00:00Z" } }));
    expect(r.recommendation).toBe("approve");
    expect(r.reason).toBe("approve: unchanged since last certified (Q3 review, 2026-08-01)");
  });

  it("asks for a review of high-risk access certified never before, even when every peer holds it", () => {
    expect(rec(base({ toolRisk: "high", facts: facts({ peers: peers(5, 5) }) }))).toEqual({
      recommendation: "review",
      reason: "review: high-risk access, not certified before",
    });
  });

  it("no longer approves low-risk access on the absence of findings alone: approval needs peers or recent use", () => {
    // Before the facts existed this was "approve: low-risk access, no findings"; nothing said the access was needed.
    expect(rec(base())).toEqual({ recommendation: "review", reason: "review: no peer group and no usage data to support it" });
    expect(rec(base({ facts: facts({ peers: peers(12, 14) }) }))).toEqual({
      recommendation: "approve",
      reason: "approve: 12 of 14 peers hold it, low-risk, no findings",
    });
    expect(rec(base({ facts: facts({ lastUsedAt: daysAgo(3), lastUseSource: "okta", lastUseScope: "access" }) }))).toEqual({
      recommendation: "approve",
      reason: "approve: used 3 days ago, low-risk, no findings",
    });
    // The threshold is inclusive; just below it, mixed evidence asks for a review.
    expect(rec(base({ facts: facts({ peers: { ...peers(4, 5), share: PEERS_APPROVE_SHARE } }) })).recommendation).toBe("approve");
    expect(rec(base({ facts: facts({ peers: peers(11, 14) }) }))).toEqual({
      recommendation: "review",
      reason: "review: 11 of 14 peers hold it, no recent use of it known",
    });
  });

  it("does not take an account's recent sign-in, or a shared credential's use, as use of this access", () => {
    const account = facts({ lastUsedAt: daysAgo(1), lastUseSource: "okta", lastUseScope: "account" });
    expect(rec(base({ facts: account })).recommendation).toBe("review");
    const shared = facts({ lastUsedAt: daysAgo(1), lastUseSource: "github", lastUseScope: "credential" });
    expect(rec(base({ facts: shared })).recommendation).toBe("review");
  });

  it("recommends revoking access unused for more than 90 days that peers rarely hold, and reviews it when peers do or are unknown", () => {
    const stale = { lastUsedAt: daysAgo(UNUSED_DAYS + 30), lastUseSource: "aws", lastUseScope: "access" as const };
    expect(rec(base({ facts: facts({ ...stale, peers: peers(0, 4) }) }))).toEqual({
      recommendation: "revoke",
      reason: "revoke: unused for 120 days and held by 0 of 4 peers",
    });
    // An account that has not signed in for that long bounds every access its source reports.
    expect(rec(base({ facts: facts({ ...stale, lastUseScope: "account", peers: peers(0, 4) }) })).recommendation).toBe("revoke");
    expect(rec(base({ facts: facts({ ...stale, peers: peers(4, 4) }) }))).toEqual({ recommendation: "review", reason: "review: unused for 120 days" });
    expect(rec(base({ facts: facts(stale) }))).toEqual({ recommendation: "review", reason: "review: unused for 120 days" });
    // Leave explains the silence; exactly 90 days is not "more than 90".
    const onLeave = { kind: "human", status: "leave", name: "Yuki" };
    expect(rec(base({ subject: onLeave, facts: facts({ ...stale, peers: peers(0, 4) }) })).recommendation).toBe("review");
    expect(rec(base({ facts: facts({ ...stale, lastUsedAt: daysAgo(UNUSED_DAYS), peers: peers(0, 4) }) })).recommendation).toBe("review");
  });

  it("recommends revoking an access whose tools gateways have seen for over 90 days with no call by this subject in 90 days", () => {
    const covered = { usageCoveredSince: daysAgo(200) };
    expect(rec(base({ facts: facts(covered) }))).toEqual({ recommendation: "revoke", reason: "revoke: not used in 90 days" });
    const old = { ...covered, lastUsedAt: daysAgo(120), lastUseSource: "decision log", lastUseScope: "access" as const };
    expect(rec(base({ facts: facts(old) }))).toEqual({ recommendation: "revoke", reason: "revoke: not used in 90 days" });
    // Even what was certified before: no call in 90 days outweighs an unchanged access.
    const certified = { campaignName: "Q3", at: daysAgo(100) };
    expect(rec(base({ lastCertified: certified, facts: facts(covered) })).recommendation).toBe("revoke");
    // Used within 90 days: not this rule.
    expect(rec(base({ facts: facts({ ...old, lastUsedAt: daysAgo(10) }) })).recommendation).toBe("approve");
    // Telemetry younger than 90 days, or none at all (a company without gateway telemetry): never revoke for silence.
    expect(rec(base({ facts: facts({ usageCoveredSince: daysAgo(30) }) })).recommendation).toBe("review");
    expect(rec(base({ facts: facts() })).recommendation).toBe("review");
    // Leave explains the silence.
    expect(rec(base({ subject: { kind: "human", status: "leave", name: "Yuki" }, facts: facts(covered) })).recommendation).toBe("review");
    const r = recommend(base({ facts: facts(covered) }), [], now);
    expect(r.evidence.reasons).toContain(`no tool call seen in 90 days (gateway usage data since ${daysAgo(200).slice(0, 10)})`);
    expect(r.evidence.usageCoveredSince).toBe(daysAgo(200));
  });

  it("asks for a review when an open finding, a privileged target or few peers speak against it", () => {
    const finding = { id: "f1", rule: "shared_credential", severity: "medium", title: "shared by 2 identities", firstSeenAt: daysAgo(5) };
    expect(rec(base({ facts: facts({ peers: peers(5, 5), findings: [finding] }) }))).toEqual({
      recommendation: "review",
      reason: "review: open finding: shared by 2 identities",
    });
    expect(rec(base({ facts: facts({ peers: peers(5, 5), privileged: true }) }))).toEqual({
      recommendation: "review",
      reason: "review: privileged access, not certified before",
    });
    expect(rec(base({ facts: facts({ peers: peers(1, 10), lastUsedAt: daysAgo(2), lastUseScope: "access" }) }))).toEqual({
      recommendation: "review",
      reason: "review: only 1 of 10 peers hold it",
    });
    expect(rec(base({ facts: facts({ peers: peers(0, 10) }) })).reason).toBe("review: 0 of 10 peers hold it");
  });

  it("does not approve what was certified when a finding on it appeared since", () => {
    const lastCertified = { campaignName: "Q3 review", at: "2026-08-01T00:00:00Z" };
    const old = { id: "f0", rule: "credential_rotation", severity: "medium", title: "old finding", firstSeenAt: "2026-07-01T00:00:00.000Z" };
    const fresh = { id: "f1", rule: "tool_definition_changed", severity: "high", title: "tool changed", firstSeenAt: "2026-09-01T00:00:00.000Z" };
    expect(rec(base({ lastCertified, facts: facts({ findings: [old] }) })).recommendation).toBe("approve");
    expect(rec(base({ lastCertified, facts: facts({ findings: [fresh, old] }) }))).toEqual({
      recommendation: "review",
      reason: "review: new since last certified: tool changed",
    });
  });

  it("explains every factor in one line each, marked for or against", () => {
    const r = recommend(
      base({
        facts: facts({
          peers: peers(12, 14),
          lastUsedAt: daysAgo(3),
          lastUseSource: "okta",
          lastUseScope: "access",
        }),
      }),
      [],
      now,
    );
    expect(r.evidence.reasons).toEqual([
      "not certified before",
      "12 of 14 peers (same manager: Priya) hold this (86%)",
      "last used 3 days ago (okta)",
      "reaches at most a low-risk tool",
      "no open findings on subject or target",
    ]);
    expect(r.evidence.reasonTones).toEqual(["neutral", "for", "for", "for", "for"]);
    const unknown = recommend(base({ subject: { kind: "agent", status: "active", name: "bot" } }), [], now).evidence;
    expect(unknown.reasons).toContain("last use unknown");
    expect(unknown.reasons).toContain("no peer group to compare (fewer than 3 peers by manager, department or blueprint)");
    expect(unknown.peers).toBeNull();
  });

  it("flags an orphaned target and an expired credential", () => {
    const cred = credentialBrief("c", "old key", { storage: "vault", expiresAt: "2026-10-01T00:00:00Z", issuedAt: "2025-01-01T00:00:00Z" }, now);
    const flags = itemFlags(base({ targetOwners: [], reachedCredentials: [cred] }));
    expect(flags.map((f) => f.code)).toEqual(["reaches_expired_credential", "target_orphaned"]);
    expect(flags[0]!.message).toBe("reaches an expired credential (old key)");
    expect(cred.ageDays).toBe(669);
  });
});
