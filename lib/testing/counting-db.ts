import type { Database, Db } from "@/db/client";
import * as schema from "@/db/schema";

/** Queries run and rows they returned or wrote, through one counting Database. */
export interface QueryMeter {
  queries: number;
  rows: number;
}

type Queryable = { query: (...a: unknown[]) => Promise<unknown> };

/**
 * Test helper: the same database seen through a driver that counts every
 * query and the rows it returned (or wrote, for an UPDATE without RETURNING),
 * on PGlite and on PostgreSQL alike (pg_stat is not kept by PGlite). What a
 * request does through it can be compared at two graph sizes.
 */
export async function countingDatabase(base: Database): Promise<{ database: Database; meter: QueryMeter; reset(): void }> {
  const meter: QueryMeter = { queries: 0, rows: 0 };
  const count = (r: unknown) => {
    const res = r as { rows?: unknown[]; affectedRows?: number; rowCount?: number | null } | undefined;
    meter.queries++;
    meter.rows += Math.max(res?.rows?.length ?? 0, res?.affectedRows ?? 0, res?.rowCount ?? 0);
  };
  // Wraps query (and the clients a transaction or a pool checkout hands out) so nothing bypasses the meter.
  const wrap = <T extends object>(obj: T): T =>
    new Proxy(obj, {
      get(target, prop) {
        const v = Reflect.get(target, prop, target) as unknown;
        if (typeof v !== "function") return v;
        const f = v as (...a: unknown[]) => unknown;
        if (prop === "query")
          return (...a: unknown[]) => {
            // A submittable (a COPY stream from pg-copy-streams) must come back as itself, synchronously: the import
            // writes into it. Wrapped in a promise it was never written to, and the import waited forever.
            if (typeof (a[0] as { submit?: unknown } | undefined)?.submit === "function") return f.apply(target, a);
            return (async () => {
              const r = await (f.apply(target, a) as Promise<unknown>);
              count(r);
              return r;
            })();
          };
        if (prop === "transaction") return (fn: (tx: Queryable) => unknown, ...rest: unknown[]) => f.call(target, (tx: Queryable) => fn(wrap(tx)), ...rest);
        if (prop === "connect") return async (...a: unknown[]) => wrap((await (f.apply(target, a) as Promise<object>)) as object);
        return f.bind(target);
      },
    });
  const client = (base.db as unknown as { $client: object }).$client;
  let db: Db;
  if (base.kind === "pglite") {
    const { drizzle } = await import("drizzle-orm/pglite");
    db = drizzle({ client: wrap(client) as never, schema }) as unknown as Db;
  } else {
    const { drizzle } = await import("drizzle-orm/node-postgres");
    db = drizzle({ client: wrap(client) as never, schema }) as unknown as Db;
  }
  return { database: { ...base, db }, meter, reset: () => Object.assign(meter, { queries: 0, rows: 0 }) };
}
