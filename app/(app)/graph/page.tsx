import { NotYet } from "@/components/ui/not-yet";
import { requirePagePermission } from "@/lib/authz/session";

export const metadata = { title: "Graph" };

export default async function Page() {
  await requirePagePermission("graph.read");
  return <NotYet title="Graph" what="The graph explorer will answer who can reach a tool or resource, what an agent can reach, and through which groups, delegations, servers and credentials — drawn, with the paths listed beside it." />;
}
