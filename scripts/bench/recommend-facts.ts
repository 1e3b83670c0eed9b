/**
 * Times loadRecommendationFacts (lib/campaigns/recommend-facts.ts) per chunk on an already loaded database, as launch
 * calls it: chunks of the current access edges of principals in the launch's order (subject, kind, target).
 *
 *   npx tsx scripts/bench/recommend-facts.ts --url postgres://…/db [--chunk 5000] [--chunks 10] [--kinds has_entitlement,member_of]
 *                                            [--cache]   (one FactsCache shared by the chunks, as a launch would)
 *
 * The generator writes no usage data nor blueprints; to exercise every path, give the loaded database some first
 * (what was measured for the recommendations README section did, in SQL): agents' and service accounts'
 * `blueprint` (200 values), humans' `lastLogin`, and `lastUsedAt` on 30% of has_entitlement/uses_credential edges.
 * Prints per-chunk milliseconds and queries, then the median and the slowest.
 */
import { sql } from "drizzle-orm";
import { openDatabase } from "@/db/client";
import { rows } from "@/db/rows";
import { readFlags, wholeNumber } from "@/lib/bench/cli";
import { loadRecommendationFacts, newFactsCache, type AccessKey } from "@/lib/campaigns/recommend-facts";
import { countingDatabase } from "@/lib/testing/counting-db";

async function main() {
  let url: string | undefined;
  let chunk = 5000;
  let chunks = 10;
  let kinds = ["has_entitlement", "member_of", "connects_to", "uses_credential"];
  let shared = false;
  const fail = (m: string): never => {
    throw new Error(m);
  };
  readFlags(process.argv.slice(2), (name, read) => {
    const v = () => read() ?? "";
    if (name === "--url") url = v();
    else if (name === "--chunk") chunk = wholeNumber(name, v(), fail);
    else if (name === "--chunks") chunks = wholeNumber(name, v(), fail);
    else if (name === "--kinds") kinds = v().split(",");
    else if (name === "--cache") shared = true;
    else throw new Error(`unknown option ${name}`);
  });
  if (!url) throw new Error("--url is required");
  const base = await openDatabase({ url });
  const counting = await countingDatabase(base);
  const all = await rows<{ edge_id: string; edge_kind: string; subject_id: string; subject_kind: string; target_id: string }>(
    base.db,
    sql`select e.id as edge_id, e.kind as edge_kind, s.id as subject_id, s.kind as subject_kind, e.to_id as target_id
        from edges e join nodes s on s.id = e.from_id and s.valid_to is null
        where e.valid_to is null and e.kind = any(${sql.param(kinds)}::text[]) and s.kind in ('human', 'agent', 'service_account', 'group')
        order by s.name, e.kind, e.to_id
        limit ${chunk * chunks}`,
  );
  const accesses: AccessKey[] = all.map((r) => ({
    edgeId: r.edge_id,
    edgeKind: r.edge_kind,
    subjectId: r.subject_id,
    subjectKind: r.subject_kind,
    targetId: r.target_id,
  }));
  const times: number[] = [];
  const summary = { peers: 0, lastUse: 0, findings: 0 };
  const cache = shared ? newFactsCache() : undefined;
  for (let i = 0; i < accesses.length; i += chunk) {
    counting.reset();
    const t0 = performance.now();
    const facts = await loadRecommendationFacts(counting.database.db, accesses.slice(i, i + chunk), cache);
    const ms = performance.now() - t0;
    times.push(ms);
    for (const f of facts.values()) {
      if (f.peers) summary.peers++;
      if (f.lastUsedAt) summary.lastUse++;
      if (f.findings.length) summary.findings++;
    }
    console.log(`chunk ${i / chunk + 1}: ${facts.size} accesses, ${ms.toFixed(0)} ms, ${counting.meter.queries} queries`);
  }
  const sorted = [...times].sort((a, b) => a - b);
  console.log(
    `median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} ms, slowest ${sorted[sorted.length - 1]!.toFixed(0)} ms per ${chunk}-access chunk; ` +
      `with peers ${summary.peers}, last use ${summary.lastUse}, findings ${summary.findings} of ${accesses.length}`,
  );
  await base.close();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
