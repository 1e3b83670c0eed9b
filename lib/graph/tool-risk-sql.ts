import { sql, type SQL } from "drizzle-orm";

/**
 * A tool's risk level in SQL, from its node's attributes: the stored risk, else
 * the level `toolRisk` gives its annotations (lib/graph/tool-risk.ts), so lists
 * can sort and filter servers by risk in the database. Only levels, not
 * reasons; tool-risk-sql.db.test.ts holds it to `riskOfToolAttributes`.
 */
export function toolRiskLevelSql(attributes: SQL): SQL {
  const a = attributes;
  const ann = sql`(${a}->'annotations')`;
  return sql`(case
    when ${a}->>'risk' in ('low', 'medium', 'high', 'critical') then ${a}->>'risk'
    when coalesce(jsonb_typeof(${ann}), '') <> 'object' or not jsonb_exists_any(${ann}, array['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint']) then 'high'
    when ${ann}->'readOnlyHint' = 'true'::jsonb then 'low'
    when ${ann}->'destructiveHint' = 'true'::jsonb then 'critical'
    when coalesce(jsonb_typeof(${ann}->'destructiveHint'), '') <> 'boolean' then 'high'
    when ${ann}->'openWorldHint' is distinct from 'false'::jsonb then 'high'
    else 'medium' end)`;
}

/** A risk level as a number, riskiest highest (critical 4, none 0). */
export const riskRankSql = (level: SQL): SQL =>
  sql`(case ${level} when 'critical' then 4 when 'high' then 3 when 'medium' then 2 when 'low' then 1 else 0 end)`;
