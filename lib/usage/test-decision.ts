import type { DecisionRecord } from "./decision-record";

/** A decision as the PDP would record it, for tests. */
export function decision(over: Partial<DecisionRecord> = {}): DecisionRecord {
  return {
    decidedAt: new Date("2026-12-01T10:00:00.000Z"),
    requestId: "req-1",
    clientId: "tok_pdp",
    subjectId: "agt_1",
    subjectRef: "agent:agt_1",
    actingForId: null,
    action: "tools/call",
    resourceId: "tool_1",
    resourceRef: "tool:tool_1",
    decision: true,
    reasonCode: "path_exists",
    graphVersion: 7,
    pdpStateVersion: 3,
    context: {},
    ...over,
  };
}
