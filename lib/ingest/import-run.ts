import { eq, getTableColumns, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { imports } from "@/db/schema";
import type { Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { AppError, type ErrorDetail } from "@/lib/errors";
import { importProgress, MAX_REPORTED_ERRORS, type ImportRecord } from "./run-import";

/** `GET /api/v1/imports/{id}` query: a page of the run's reported problems (all of them, up to the stored 1,000, by default). */
export const importRunQuerySchema = z
  .object({
    errorsOffset: z.coerce.number().int().min(0).max(MAX_REPORTED_ERRORS).default(0),
    errorsLimit: z.coerce.number().int().min(1).max(MAX_REPORTED_ERRORS).default(MAX_REPORTED_ERRORS),
  })
  .strict();
export type ImportRunQuery = z.infer<typeof importRunQuerySchema>;

export type ImportRun = Omit<ImportRecord, "errors"> & {
  errors: ErrorDetail[];
  /** Which reported problems `errors` holds: `stored` of `errorCount` were kept (at most 1,000). */
  errorsPage: { offset: number; limit: number; stored: number };
  progress?: { processed: number; phase: string };
};

/**
 * One import run with a page of its problems (paths and messages: problems never quote input
 * values), and its progress while it runs in this process. The page is cut in SQL, so a run
 * with many problems answers with the slice asked for.
 */
export async function getImportRun(db: Db, actor: Actor, id: string, q: Partial<ImportRunQuery> = {}): Promise<ImportRun> {
  requirePermission(actor, "import.read");
  const offset = q.errorsOffset ?? 0;
  const limit = q.errorsLimit ?? MAX_REPORTED_ERRORS;
  const { errors: _all, ...columns } = getTableColumns(imports);
  const [row] = await db
    .select({
      ...columns,
      stored: sql<number>`jsonb_array_length(${imports.errors})`.mapWith(Number),
      page: sql<
        ErrorDetail[]
      >`coalesce((select jsonb_agg(e order by n) from jsonb_array_elements(${imports.errors}) with ordinality as t(e, n) where n > ${offset} and n <= ${offset + limit}), '[]'::jsonb)`,
    })
    .from(imports)
    .where(eq(imports.id, id));
  if (!row) throw new AppError("not_found", "import not found");
  const { stored, page, ...rest } = row;
  const progress = importProgress.get(id);
  return { ...rest, errors: page, errorsPage: { offset, limit, stored }, ...(progress ? { progress: { ...progress } } : {}) };
}
