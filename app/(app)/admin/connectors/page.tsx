import Link from "next/link";
import { getDb } from "@/db/client";
import { ConnectorsPanel } from "@/components/admin/connectors-panel";
import { can } from "@/lib/authz/permissions";
import { requirePagePermission } from "@/lib/authz/session";
import { kindViews, listConnectors } from "@/lib/connectors/manage";

export const metadata = { title: "Connectors" };
export const dynamic = "force-dynamic";

/** Admins manage connectors; analysts and auditors (import.read) follow them read-only; others get the forbidden page. */
export default async function ConnectorsPage() {
  const actor = await requirePagePermission("import.read");
  const list = await listConnectors(await getDb(), actor);
  const canManage = can(actor, "source.manage");
  return (
    <>
      <h1>Connectors</h1>
      <p className="subtitle">
        Scheduled pulls from AWS IAM, Microsoft Entra ID, Okta and GitHub into the graph. Each run is an import (see <Link href="/imports">Imports</Link>);
        credentials are stored encrypted and never shown. Permissions to grant and what each reads: the README, “Connectors”; the API:{" "}
        <a href="/api/v1/openapi.json">OpenAPI document</a>.{canManage ? " Every change is audited." : " You can see them; an administrator changes them."}
      </p>
      <ConnectorsPanel initial={list} kinds={kindViews()} canManage={canManage} />
    </>
  );
}
