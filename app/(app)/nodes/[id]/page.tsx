import { notFound } from "next/navigation";
import { getDb, type Db } from "@/db/client";
import { HubAccess } from "@/components/nodes/hub-access";
import { HubAudit } from "@/components/nodes/hub-audit";
import { HubCertifications } from "@/components/nodes/hub-certifications";
import { HubCredentials } from "@/components/nodes/hub-credentials";
import { HubFindings } from "@/components/nodes/hub-findings";
import { HubHeader } from "@/components/nodes/hub-header";
import { HubHistory } from "@/components/nodes/hub-history";
import { HubTabs, type HubTabLink } from "@/components/nodes/hub-tabs";
import { SamePersonPanel } from "@/components/nodes/same-person";
import { ToolUsagePanel } from "@/components/nodes/tool-usage";
import { Alert } from "@/components/ui/alert";
import { can } from "@/lib/authz/permissions";
import { requirePagePermission } from "@/lib/authz/session";
import { isAppError } from "@/lib/errors";
import { accessSummaryFor, type AccessSummary } from "@/lib/graph/access-summary";
import type { Actor } from "@/lib/authz/actor";
import type { NodeView } from "@/lib/graph/nodes";
import { listNodeAudit } from "@/lib/hub/audit";
import { listNodeCertifications } from "@/lib/hub/certifications";
import { HUB_TABS, isHubTab, TAB_PERMISSION, type HubTab } from "@/lib/hub/common";
import { listNodeCredentials } from "@/lib/hub/credentials";
import { listNodeFindings } from "@/lib/hub/findings";
import { getHubHeader, type HubHeader as Header } from "@/lib/hub/header";
import { listNodeHistory } from "@/lib/hub/history";
import { listNodeRelationships } from "@/lib/hub/relationships";
import { samePersonOf, type SamePerson } from "@/lib/hub/node-links";
import { nodeToolUsage, type NodeToolUsage } from "@/lib/hub/tool-usage";

export const metadata = { title: "Node" };

const TAB_LABEL: Record<HubTab, string> = {
  access: "Access",
  findings: "Findings",
  certifications: "Certifications",
  credentials: "Credentials",
  history: "History",
  audit: "Audit",
};
const NEIGHBOR_LIMIT = 100;

type Search = Record<string, string | string[] | undefined>;
const one = (sp: Search, k: string) => (typeof sp[k] === "string" ? (sp[k] as string) : undefined);

/**
 * The node hub: every kind's governance in one place. The header (kind,
 * source, status, risk, owners with assign in place) and one section at a time,
 * named in the URL (`?tab=`), each read by its own bounded function in lib/hub.
 */
export default async function NodePage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<Search> }) {
  const actor = await requirePagePermission("graph.read");
  const db = await getDb();
  const [{ id }, sp] = await Promise.all([params, searchParams]);
  let header: Header;
  try {
    header = await getHubHeader(db, actor, decodeURIComponent(id));
  } catch (e) {
    if (isAppError(e) && (e.code === "not_found" || e.code === "validation")) notFound();
    throw e;
  }
  const node = header.node;
  const allowed = HUB_TABS.filter((t) => {
    const p = TAB_PERMISSION[t];
    return !p || can(actor, p);
  });
  const requested = one(sp, "tab");
  const tab: HubTab = isHubTab(requested) && allowed.includes(requested) ? requested : "access";
  const paged = !!one(sp, "cursor");

  let section: Section | { tab: "invalid" };
  try {
    section = await loadSection(db, actor, node, tab, sp);
  } catch (e) {
    if (!(isAppError(e) && e.code === "validation")) throw e;
    section = { tab: "invalid" };
  }
  let openFindings = section.tab === "findings" ? section.data.openCount : undefined;
  if (openFindings === undefined && header.can.findings) openFindings = (await listNodeFindings(db, actor, node.id, { limit: 1 })).openCount;

  const tabs: HubTabLink[] = allowed.map((t) => ({
    id: t,
    label: TAB_LABEL[t],
    href: t === "access" ? `/nodes/${node.id}` : `/nodes/${node.id}?tab=${t}`,
    ...(t === "findings" && openFindings !== undefined ? { count: openFindings, alert: true } : {}),
  }));
  return (
    <>
      <HubHeader header={JSON.parse(JSON.stringify(header)) as Header} />
      <HubTabs tabs={tabs} current={tab} panelId="hub-panel" />
      <div role="tabpanel" id="hub-panel" aria-labelledby={`hub-tab-${tab}`} data-testid={`hub-panel-${tab}`}>
        <SectionView section={section} node={node} paged={paged} />
      </div>
    </>
  );
}

type Section =
  | {
      tab: "access";
      data: {
        relationships: Awaited<ReturnType<typeof listNodeRelationships>>;
        access: AccessSummary | null;
        samePerson: SamePerson | null;
        usage: NodeToolUsage | null;
        now: number;
        canReadDecisions: boolean;
      };
    }
  | { tab: "findings"; status: "open" | "all"; data: Awaited<ReturnType<typeof listNodeFindings>> }
  | { tab: "certifications"; data: Awaited<ReturnType<typeof listNodeCertifications>> }
  | { tab: "credentials"; data: Awaited<ReturnType<typeof listNodeCredentials>> }
  | { tab: "history"; data: Awaited<ReturnType<typeof listNodeHistory>> }
  | { tab: "audit"; data: Awaited<ReturnType<typeof listNodeAudit>> };

/** Reads the one section the URL names, through its bounded function in lib/hub (which checks the permission again). */
async function loadSection(db: Db, actor: Actor, node: NodeView, tab: HubTab, sp: Search): Promise<Section> {
  const cursor = one(sp, "cursor");
  switch (tab) {
    case "access": {
      const [relationships, access, samePerson, usage] = await Promise.all([
        listNodeRelationships(db, actor, node.id, { limit: NEIGHBOR_LIMIT, cursor }),
        node.validTo ? Promise.resolve(null) : accessSummaryFor(db, actor, node),
        node.kind === "human" && !node.validTo ? samePersonOf(db, actor, node) : Promise.resolve(null),
        node.validTo ? Promise.resolve(null) : nodeToolUsage(db, actor, node),
      ]);
      return { tab, data: { relationships, access, samePerson, usage, now: Date.now(), canReadDecisions: can(actor, "usage.read") } };
    }
    case "findings": {
      const status = one(sp, "status") === "all" ? "all" : "open";
      return { tab, status, data: await listNodeFindings(db, actor, node.id, { status, cursor }) };
    }
    case "certifications":
      return { tab, data: await listNodeCertifications(db, actor, node.id, { cursor }) };
    case "credentials":
      return { tab, data: await listNodeCredentials(db, actor, node.id, { cursor }) };
    case "history":
      return { tab, data: await listNodeHistory(db, actor, node.id, { cursor }) };
    case "audit":
      return { tab, data: await listNodeAudit(db, actor, node.id, { cursor }) };
  }
}

function SectionView({ section, node, paged }: { section: Section | { tab: "invalid" }; node: NodeView; paged: boolean }) {
  switch (section.tab) {
    case "invalid":
      return <Alert>That page link is no longer valid; open the section again from its tab.</Alert>;
    case "access":
      return (
        <>
          {section.data.samePerson ? <SamePersonPanel nodeId={node.id} {...section.data.samePerson} /> : null}
          <HubAccess node={node} access={section.data.access} relationships={section.data.relationships} paged={paged} />
          {section.data.usage ? (
            <ToolUsagePanel usage={section.data.usage} now={section.data.now} nodeId={node.id} canReadDecisions={section.data.canReadDecisions} />
          ) : null}
        </>
      );
    case "findings":
      return (
        <HubFindings
          nodeId={node.id}
          items={section.data.items}
          openCount={section.data.openCount}
          status={section.status}
          nextCursor={section.data.nextCursor}
          paged={paged}
        />
      );
    case "certifications":
      return (
        <HubCertifications nodeId={node.id} items={section.data.items} summary={section.data.summary} nextCursor={section.data.nextCursor} paged={paged} />
      );
    case "credentials":
      return <HubCredentials nodeId={node.id} items={section.data.items} self={section.data.self} nextCursor={section.data.nextCursor} paged={paged} />;
    case "history":
      return <HubHistory nodeId={node.id} nodeName={node.name} items={section.data.items} nextCursor={section.data.nextCursor} paged={paged} />;
    case "audit":
      return <HubAudit nodeId={node.id} items={section.data.items} nextCursor={section.data.nextCursor} paged={paged} />;
  }
}
