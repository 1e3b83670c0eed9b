import { describe, expect, it } from "vitest";
import { credentialBrief, itemFlags, recommend, type RecommendInput } from "./recommend";

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
const rec = (i: RecommendInput) => recommend(i, itemFlags(i));

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

  it("asks for a review of high-risk access certified never before, and approves low-risk access without findings", () => {
    expect(rec(base({ toolRisk: "high" })).recommendation).toBe("review");
    expect(rec(base())).toEqual({ recommendation: "approve", reason: "approve: low-risk access, no findings" });
  });

  it("flags an orphaned target and an expired credential", () => {
    const cred = credentialBrief("c", "old key", { storage: "vault", expiresAt: "2026-10-01T00:00:00Z", issuedAt: "2025-01-01T00:00:00Z" }, now);
    const flags = itemFlags(base({ targetOwners: [], reachedCredentials: [cred] }));
    expect(flags.map((f) => f.code)).toEqual(["reaches_expired_credential", "target_orphaned"]);
    expect(flags[0]!.message).toBe("reaches an expired credential (old key)");
    expect(cred.ageDays).toBe(669);
  });
});
