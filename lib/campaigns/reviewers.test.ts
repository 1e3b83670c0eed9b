import { describe, expect, it } from "vitest";
import type { OwnerBrief } from "./model";
import { conflictOf, ownersInOrder, routeItem, strategyCandidate, type ReviewerDirectory, type ReviewerUser, type RoutingFacts } from "./reviewers";

const user = (id: string, human: string | null): ReviewerUser => ({ id, name: id, email: `${id}@x`, humanNodeId: human });
const owner = (id: string, role: string, status = "active"): OwnerBrief => ({ id, name: id, kind: "human", role, status });
const dir = (...users: ReviewerUser[]): ReviewerDirectory => ({
  byId: new Map(users.map((u) => [u.id, u])),
  byHuman: new Map(users.filter((u) => u.humanNodeId).map((u) => [u.humanNodeId!, u])),
});
const facts = (over: Partial<RoutingFacts> = {}): RoutingFacts => ({
  subject: { id: "h-sub", kind: "human", name: "Sub" },
  targetOwners: [],
  subjectOwners: [],
  subjectActsFor: [],
  managers: [],
  ...over,
});

describe("reviewer resolution", () => {
  it("picks the business owner of the target before technical and security owners", () => {
    const d = dir(user("tech", "h-tech"), user("biz", "h-biz"));
    const c = strategyCandidate(d, "target_owner", facts({ targetOwners: [owner("h-tech", "technical"), owner("h-biz", "business")] }));
    expect(c.user?.id).toBe("biz");
    expect(c.reason).toBe("business owner of the target");
  });

  it("skips owners who are terminated or do not review in Attest", () => {
    const d = dir(user("tech", "h-tech"));
    const c = strategyCandidate(
      d,
      "target_owner",
      facts({ targetOwners: [owner("h-gone", "business", "terminated"), owner("h-nouser", "business"), owner("h-tech", "technical")] }),
    );
    expect(c.user?.id).toBe("tech");
  });

  it("routes to the fallback reviewer when no owner resolves, saying why", () => {
    const d = dir(user("fb", "h-fb"), user("own", null));
    const r = routeItem(d, facts(), strategyCandidate(d, "target_owner", facts()), ["fb", "own"]);
    expect(r).toEqual({ reviewerId: "fb", reason: "fallback reviewer: the target has no active owner" });
  });

  it("the manager strategy uses the subject's manager, and has none for non-humans", () => {
    const d = dir(user("boss", "h-boss"));
    expect(strategyCandidate(d, "manager", facts({ managers: [owner("h-boss", "")] })).user?.id).toBe("boss");
    expect(strategyCandidate(d, "manager", facts({ subject: { id: "a", kind: "agent", name: "A" } })).reason).toContain("not a person");
  });
});

describe("separation of duties", () => {
  it("nobody reviews their own access, what they own, or an agent acting for them", () => {
    const u = user("u", "h-u");
    expect(conflictOf(u, facts({ subject: { id: "h-u", kind: "human", name: "U" } }))).toBe("u is the subject");
    expect(conflictOf(u, facts({ subjectOwners: [owner("h-u", "business")] }))).toBe("u owns the subject");
    expect(conflictOf(u, facts({ subjectActsFor: [owner("h-u", "")] }))).toBe("the agent acts for u");
    expect(conflictOf(u, facts())).toBeNull();
  });

  it("a conflicted reviewer's item goes to the fallback, and a conflicted fallback to the campaign owner", () => {
    const d = dir(user("priya", "h-priya"), user("fb", "h-fb"), user("owner", "h-owner"));
    const f = facts({ subject: { id: "h-fb", kind: "human", name: "Fb" }, targetOwners: [owner("h-priya", "business")], subjectOwners: [] });
    const viaFallback = routeItem(d, { ...f, subject: { id: "h-priya", kind: "human", name: "Priya" } }, strategyCandidate(d, "target_owner", f), [
      "fb",
      "owner",
    ]);
    expect(viaFallback).toEqual({ reviewerId: "fb", reason: "fallback reviewer: separation of duties: priya is the subject" });
    const subjectIsFallback = facts({
      subject: { id: "h-fb", kind: "human", name: "Fb" },
      subjectOwners: [owner("h-priya", "business")],
      targetOwners: [owner("h-priya", "business")],
    });
    const viaOwner = routeItem(d, subjectIsFallback, strategyCandidate(d, "target_owner", subjectIsFallback), ["fb", "owner"]);
    expect(viaOwner.reviewerId).toBe("owner");
    expect(viaOwner.reason).toMatch(/^campaign owner: separation of duties: priya owns the subject/);
  });

  it("leaves an item unassigned when everyone left has a conflict", () => {
    const d = dir(user("u", "h-u"));
    const f = facts({ subject: { id: "h-u", kind: "human", name: "U" } });
    expect(routeItem(d, f, { user: d.byId.get("u")!, reason: "named reviewer" }, ["u"]).reviewerId).toBeNull();
  });

  it("orders owners business, technical, security, then unknown roles", () => {
    expect(ownersInOrder([owner("c", "security"), owner("d", "other"), owner("a", "technical"), owner("b", "business")]).map((o) => o.id)).toEqual([
      "b",
      "a",
      "c",
      "d",
    ]);
  });
});
