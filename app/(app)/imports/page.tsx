import { NotYet } from "@/components/ui/not-yet";
import { requirePagePermission } from "@/lib/authz/session";

export const metadata = { title: "Imports" };

export default async function Page() {
  await requirePagePermission("import.read");
  return <NotYet title="Imports" what="Import history with progress and errors will live here: graph documents, SCIM, MCP configurations and peers' formats." />;
}
