import Link from "next/link";
import { getDb } from "@/db/client";
import { OutboundPanel } from "@/components/admin/outbound-panel";
import { TokensPanel, type TokenRow } from "@/components/admin/tokens-panel";
import { UsersTable } from "@/components/admin/users-table";
import { listApiTokens } from "@/lib/admin/api-tokens";
import { listAppUsers } from "@/lib/admin/app-users";
import { getOutboundSettings } from "@/lib/admin/outbound-settings";
import { can } from "@/lib/authz/permissions";
import { requirePagePermission } from "@/lib/authz/session";

export const metadata = { title: "Admin" };

export default async function AdminPage() {
  const actor = await requirePagePermission("admin.users");
  const db = await getDb();
  const users = await listAppUsers(db, actor);
  const tokens = await listApiTokens(db, actor);
  const outbound = can(actor, "admin.settings") ? await getOutboundSettings(db, actor) : null;
  return (
    <>
      <h1>Admin</h1>
      <p className="subtitle">People who sign in to Attest, their roles, API tokens, and where the server may send requests. Changes take effect on the user&apos;s next request and are audited.</p>
      {can(actor, "admin.jobs") ? (
        <p>
          <Link href="/admin/jobs">Background jobs</Link>: queued, running and failed work, schedules, retry.
        </p>
      ) : null}
      <h2>Users and roles</h2>
      <UsersTable users={users.items} selfId={actor.id} />
      <h2>API tokens</h2>
      <TokensPanel tokens={tokens.items as TokenRow[]} myRoles={actor.roles} />
      {outbound ? (
        <>
          <h2 id="outbound-title">Outbound requests</h2>
          <OutboundPanel settings={outbound} />
        </>
      ) : null}
    </>
  );
}
