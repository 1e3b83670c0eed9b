import Link from "next/link";
import { notFound } from "next/navigation";
import { getDb } from "@/db/client";
import { ImportRunDetail } from "@/components/imports/import-run-detail";
import { requirePagePermission } from "@/lib/authz/session";
import { isAppError } from "@/lib/errors";
import { getImportRun } from "@/lib/ingest/import-run";
import { MAX_REPORTED_ERRORS } from "@/lib/ingest/run-import";

export const metadata = { title: "Import run" };

const ERRORS_PER_PAGE = 50;

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function ImportRunPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: SearchParams }) {
  const actor = await requirePagePermission("import.read");
  const { id } = await params;
  const sp = await searchParams;
  const pageNo = typeof sp.page === "string" && /^\d{1,3}$/.test(sp.page) ? Math.max(1, Number(sp.page)) : 1;
  const errorsOffset = Math.min((pageNo - 1) * ERRORS_PER_PAGE, MAX_REPORTED_ERRORS);
  let run;
  try {
    run = await getImportRun(await getDb(), actor, id, { errorsOffset, errorsLimit: ERRORS_PER_PAGE });
  } catch (e) {
    if (isAppError(e) && e.code === "not_found") notFound();
    throw e;
  }
  return (
    <>
      <p className="subtitle">
        <Link href="/imports">← All imports</Link>
      </p>
      <ImportRunDetail initial={JSON.parse(JSON.stringify(run))} errorsOffset={errorsOffset} perPage={ERRORS_PER_PAGE} />
    </>
  );
}
