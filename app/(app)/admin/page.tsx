import { getDb } from "@/db/client";
import { TokensPanel, type TokenRow } from "@/components/admin/tokens-panel";
import { UsersTable } from "@/components/admin/users-table";
import { listApiTokens } from "@/lib/admin/api-tokens";
import { listAppUsers } from "@/lib/admin/app-users";
import { requirePagePermission } from "@/lib/authz/session";

export const metadata = { title: "Admin" };

export default async function AdminPage() {
  const actor = await requirePagePermission("admin.users");
  const db = await getDb();
  const users = await listAppUsers(db, actor);
  const tokens = await listApiTokens(db, actor);
  return (
    <>
      <h1>Admin</h1>
      <p className="subtitle">People who sign in to Attest, their roles, and API tokens. Changes take effect on the user&apos;s next request and are audited.</p>
      <h2>Users and roles</h2>
      <UsersTable users={users.items} selfId={actor.id} />
      <h2>API tokens</h2>
      <TokensPanel tokens={tokens.items as TokenRow[]} myRoles={actor.roles} />
    </>
  );
}
