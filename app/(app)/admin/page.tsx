import { NotYet } from "@/components/ui/not-yet";
import { requirePagePermission } from "@/lib/authz/session";

export const metadata = { title: "Admin" };

export default async function Page() {
  await requirePagePermission("admin.users");
  return <NotYet title="Admin" what="Management of app users, roles, API tokens and sources will live here." />;
}
