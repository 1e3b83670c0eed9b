import Link from "next/link";
import { getDb } from "@/db/client";
import { AcceptByRule } from "@/components/findings/accept-by-rule";
import { SuppressionsTable } from "@/components/findings/suppressions-table";
import styles from "@/components/findings/suppressions.module.css";
import { EmptyState } from "@/components/ui/empty-state";
import { Pager } from "@/components/ui/pager";
import { can } from "@/lib/authz/permissions";
import { requirePagePermission } from "@/lib/authz/session";
import { listSuppressions, listSuppressionsQuerySchema, MAX_SUPPRESSION_DAYS } from "@/lib/findings/manage-suppressions";

export const metadata = { title: "Suppressions" };

type Params = Record<string, string | string[] | undefined>;
const PAGE = 50;

export default async function SuppressionsPage({ searchParams }: { searchParams: Promise<Params> }) {
  const actor = await requirePagePermission("findings.read");
  const p = await searchParams;
  const cursor = typeof p.cursor === "string" && p.cursor ? p.cursor : undefined;
  const from = typeof p.from === "string" && /^\d{1,7}$/.test(p.from) ? Number(p.from) : 0;
  const parsed = listSuppressionsQuerySchema.safeParse({ limit: String(PAGE), ...(cursor ? { cursor } : {}) });
  const query = parsed.success ? parsed.data : listSuppressionsQuerySchema.parse({});
  const page = await listSuppressions(await getDb(), actor, query);
  const canManage = can(actor, "findings.manage");
  return (
    <>
      <p className={styles.muted}>
        <Link href="/findings">← Findings</Link>
      </p>
      <h1>Suppressions</h1>
      <p className="subtitle">
        Risk accepted by rule and scope: while one is active, the open findings of its rule about its node, passing through it or caused by it are accepted
        until its date, and so is each new one found meanwhile. Then they open again. Every one is audited and exported in the accepted-risk evidence.
      </p>
      {canManage ? (
        <div className={styles.toolbar}>
          <AcceptByRule maxDays={MAX_SUPPRESSION_DAYS} />
        </div>
      ) : null}
      {can(actor, "evidence.export") ? (
        <p>
          <a className="btn secondary" href="/api/v1/findings/acceptances/evidence?format=zip" download data-testid="acceptance-evidence">
            Download the accepted-risk evidence (zip)
          </a>
        </p>
      ) : null}
      {!parsed.success ? (
        <p className="alert" role="alert">
          The page in the address was not understood; showing the first.
        </p>
      ) : null}
      {page.items.length === 0 && !cursor ? (
        <EmptyState title="No suppressions yet">
          <p>Accept findings by rule from the Findings page or a finding&apos;s page: &ldquo;Accept by rule…&rdquo;.</p>
        </EmptyState>
      ) : (
        <>
          <SuppressionsTable items={page.items} canManage={canManage} />
          <Pager
            from={from}
            shown={page.items.length}
            total={page.total}
            prevHref={cursor ? "/findings/suppressions" : null}
            nextHref={page.nextCursor ? `/findings/suppressions?cursor=${encodeURIComponent(page.nextCursor)}&from=${from + PAGE}` : null}
          />
        </>
      )}
    </>
  );
}
