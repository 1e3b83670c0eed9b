import Link from "next/link";
import { headers } from "next/headers";
import { getDb } from "@/db/client";
import { SsfTransmittersPanel } from "@/components/admin/ssf-transmitters-panel";
import { requirePagePermission } from "@/lib/authz/session";
import { listSsfEvents, listTransmitters } from "@/lib/campaigns/ssf/transmitters";

export const metadata = { title: "Shared Signals" };

async function receiverUrl(): Promise<string> {
  const h = await headers();
  const host = h.get("x-forwarded-host") ?? h.get("host") ?? "localhost";
  const proto = h.get("x-forwarded-proto") ?? (host.startsWith("localhost") || host.startsWith("127.") ? "http" : "https");
  return `${process.env.AUTH_URL?.replace(/\/$/, "") ?? `${proto}://${host}`}/api/v1/ssf/events`;
}

export default async function SharedSignalsPage() {
  const actor = await requirePagePermission("admin.settings");
  const db = await getDb();
  const [transmitters, events] = await Promise.all([listTransmitters(db, actor), listSsfEvents(db, actor, { limit: 50 })]);
  return (
    <>
      <p className="subtitle" style={{ marginBottom: "0.5rem" }}>
        <Link href="/admin">← admin</Link>
      </p>
      <h1>Shared Signals</h1>
      <p className="subtitle">
        CAEP and RISC events (session revoked, credential changed, account disabled, credential compromised) pushed by identity providers. An event about a
        person in the graph fires the <Link href="/campaigns/triggers">trigger rules</Link> that take it.
      </p>
      <SsfTransmittersPanel transmitters={transmitters.items} events={events.items} receiverUrl={await receiverUrl()} />
    </>
  );
}
