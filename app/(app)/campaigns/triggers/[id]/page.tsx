import Link from "next/link";
import { notFound } from "next/navigation";
import { getDb } from "@/db/client";
import { Badge } from "@/components/ui/badge";
import { LocalTime } from "@/components/ui/local-time";
import { Table } from "@/components/ui/table";
import { requirePagePermission } from "@/lib/authz/session";
import { isAppError } from "@/lib/errors";
import { getTriggerRule } from "@/lib/campaigns/triggers/rules";

export const metadata = { title: "Trigger rule" };

const TONE = { opened: "ok", no_access: "neutral", failed: "danger" } as const;
const WORDS = { opened: "campaign opened", no_access: "nothing to review", failed: "failed" } as const;

export default async function TriggerRulePage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requirePagePermission("campaign.read");
  const { id } = await params;
  const rule = await getTriggerRule(await getDb(), actor, id).catch((e: unknown) => {
    if (isAppError(e) && e.code === "not_found") notFound();
    throw e;
  });
  return (
    <>
      <p className="subtitle" style={{ marginBottom: "0.5rem" }}>
        <Link href="/campaigns/triggers">← trigger rules</Link>
      </p>
      <h1 style={{ display: "flex", gap: "0.6rem", alignItems: "center", flexWrap: "wrap" }}>
        {rule.name} {rule.enabled ? <Badge tone="ok">on</Badge> : <Badge>off</Badge>}
      </h1>
      <p className="subtitle">
        {rule.kindLabel} · owner {rule.owner?.name ?? "—"} · due {rule.durationDays} days after the event · {rule.firings.opened} opened,{" "}
        {rule.firings.noAccess} with nothing to review, {rule.firings.failed} failed
      </p>
      <h2>Latest events</h2>
      {rule.recentFirings.length === 0 ? (
        <p className="subtitle">No event has fired this rule yet.</p>
      ) : (
        <Table testId="trigger-firings" caption="Latest events">
          <thead>
            <tr>
              <th>When</th>
              <th>Event</th>
              <th>Outcome</th>
              <th>Campaign</th>
            </tr>
          </thead>
          <tbody>
            {rule.recentFirings.map((f) => (
              <tr key={f.id}>
                <td>
                  <LocalTime value={f.at} />
                </td>
                <td>{f.summary ?? f.dedupeKey}</td>
                <td>
                  <Badge tone={TONE[f.outcome]}>{WORDS[f.outcome]}</Badge>
                  {f.reason && f.outcome === "failed" ? <div className="subtitle">{f.reason}</div> : null}
                </td>
                <td>{f.campaign ? <Link href={`/campaigns/${f.campaign.id}`}>{f.campaign.status}</Link> : "—"}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </>
  );
}
