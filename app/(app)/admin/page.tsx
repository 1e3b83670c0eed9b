import Link from "next/link";
import { headers } from "next/headers";
import { getDb } from "@/db/client";
import { OutboundPanel } from "@/components/admin/outbound-panel";
import { PdpPolicyPanel } from "@/components/pdp/policy-panel";
import { ScimSourcesPanel } from "@/components/admin/scim-sources-panel";
import { TokensPanel } from "@/components/admin/tokens-panel";
import { UsersTable } from "@/components/admin/users-table";
import { listApiTokens } from "@/lib/admin/api-tokens";
import { listAppUsers } from "@/lib/admin/app-users";
import { getOutboundSettings } from "@/lib/admin/outbound-settings";
import { listSources } from "@/lib/admin/sources";
import { can } from "@/lib/authz/permissions";
import { requirePagePermission } from "@/lib/authz/session";
import { getPdpPolicy } from "@/lib/pdp/policy-store";

export const metadata = { title: "Admin" };

/** Where identity providers reach SCIM: this server's own origin, as the browser sees it. */
async function scimBaseUrl(): Promise<string> {
  const h = await headers();
  const host = h.get("x-forwarded-host") ?? h.get("host") ?? "localhost";
  const proto = h.get("x-forwarded-proto") ?? (host.startsWith("localhost") || host.startsWith("127.") ? "http" : "https");
  return `${process.env.AUTH_URL?.replace(/\/$/, "") ?? `${proto}://${host}`}/scim/v2`;
}

export default async function AdminPage() {
  const actor = await requirePagePermission("admin.users");
  const db = await getDb();
  const users = await listAppUsers(db, actor);
  const tokens = await listApiTokens(db, actor);
  const scim = can(actor, "source.manage") ? await listSources(db, actor, { type: "scim" }) : null;
  const outbound = can(actor, "admin.settings") ? await getOutboundSettings(db, actor) : null;
  const pdpPolicy = can(actor, "admin.settings") ? await getPdpPolicy(db, actor) : null;
  return (
    <>
      <h1>Admin</h1>
      <p className="subtitle">
        People who sign in to Attest, their roles, API tokens, SCIM sources and where the server may send requests. Every change asks first, takes effect on the
        next request and is audited.
      </p>
      <p>
        <Link href="/admin/connectors">Connectors</Link>: scheduled pulls from AWS IAM, Entra ID, Okta and GitHub, their credentials and runs.
      </p>
      {can(actor, "admin.settings") ? (
        <>
          <p>
            <Link href="/admin/shared-signals">Shared Signals</Link>: transmitters that push CAEP and RISC events, and the events received.
          </p>
          <p>
            <Link href="/admin/notifications">Notifications</Link>: e-mail status, chat channels (Slack, Teams), test sends, recent deliveries.
          </p>
        </>
      ) : null}
      {can(actor, "admin.jobs") ? (
        <p>
          <Link href="/admin/jobs">Background jobs</Link>: queued, running and failed work, schedules, retry.
        </p>
      ) : null}
      <h2>Users and roles</h2>
      <UsersTable users={users.items} selfId={actor.id} />
      <h2>API tokens</h2>
      <TokensPanel tokens={tokens.items} myRoles={actor.roles} canMakeGateways={can(actor, "admin.users")} />
      {scim ? (
        <>
          <h2 id="scim-title">SCIM sources</h2>
          <ScimSourcesPanel sources={scim.items} scimUrl={await scimBaseUrl()} />
        </>
      ) : null}
      {outbound ? (
        <>
          <h2 id="outbound-title">Outbound requests</h2>
          <OutboundPanel settings={outbound} />
        </>
      ) : null}
      {pdpPolicy ? (
        <>
          <h2 id="pdp-policy-title">Runtime decisions</h2>
          <PdpPolicyPanel settings={pdpPolicy} />
        </>
      ) : null}
    </>
  );
}
