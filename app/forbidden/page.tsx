import Link from "next/link";

export const metadata = { title: "Not allowed" };

export default function ForbiddenPage() {
  return (
    <main className="signin" style={{ display: "block", maxWidth: 560 }}>
      <div className="panel empty">
        <h1>You do not have access to that page</h1>
        <p>Your roles do not include it. An administrator can grant a role if you need it.</p>
        <Link href="/">Back to the dashboard</Link>
      </div>
    </main>
  );
}
