import { getDb } from "@/db/client";
import { ImportsTable, type ImportRow } from "@/components/imports/imports-table";
import { UploadForm } from "@/components/imports/upload-form";
import { can } from "@/lib/authz/permissions";
import { requirePagePermission } from "@/lib/authz/session";
import { listImports } from "@/lib/ingest/run-import";

export const metadata = { title: "Imports" };

export default async function ImportsPage() {
  const actor = await requirePagePermission("import.read");
  const rows = await listImports(await getDb(), actor, 50);
  const initial = JSON.parse(JSON.stringify(rows)) as ImportRow[];
  return (
    <>
      <h1>Imports</h1>
      <p className="subtitle">
        Every import is all-or-nothing: a file with an invalid record changes nothing, and the problems are listed by line or JSON path.
      </p>
      {can(actor, "import.run") ? <UploadForm /> : null}
      <h2>History</h2>
      <ImportsTable initial={initial} />
    </>
  );
}
