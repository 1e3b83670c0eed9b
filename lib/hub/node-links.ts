import type { Db } from "@/db/client";
import type { Actor } from "@/lib/authz/actor";
import { can } from "@/lib/authz/permissions";
import { listLinkOverrides, type LinkOverrideView } from "@/lib/connectors/link-overrides";
import { linksOfNode, refText } from "@/lib/connectors/linking";
import { getNodeFor } from "@/lib/graph/node-api";

export interface NodeLinkView {
  edgeId: string;
  /** "out": this account stands for the person and the other is one of its accounts; "in": the other stands for the person. */
  direction: "out" | "in";
  otherId: string;
  otherName: string;
  otherSource: string;
  /** email, upn, login, github login or admin. */
  rule: string | null;
}

/**
 * A node's identity links (graph.read): the accounts of the same person in
 * other systems, as the linking job last wrote them. Unknown ids answer 404.
 */
export async function listNodeLinks(db: Db, actor: Actor, rawId: string): Promise<{ items: NodeLinkView[]; total: number; nextCursor: null }> {
  const node = await getNodeFor(db, actor, rawId);
  const items = await linksOfNode(db, node.id);
  return { items, total: items.length, nextCursor: null };
}

export interface SamePerson {
  nodeRef: string;
  links: NodeLinkView[];
  /** Admins' decisions naming this account, either way round. */
  overrides: LinkOverrideView[];
  canManage: boolean;
}

/** What the "Same person in other systems" panel of a human's page shows. */
export async function samePersonOf(db: Db, actor: Actor, node: { id: string; source: string; kind: string; externalId: string }): Promise<SamePerson> {
  const nodeRef = refText(node);
  const [links, overrides] = await Promise.all([listNodeLinks(db, actor, node.id), listLinkOverrides(db, actor)]);
  return {
    nodeRef,
    links: links.items,
    overrides: overrides.items.filter((o) => o.personRef === nodeRef || o.accountRef === nodeRef),
    canManage: can(actor, "source.manage"),
  };
}
