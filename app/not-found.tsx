import Link from "next/link";

export default function NotFound() {
  return (
    <main className="signin" style={{ display: "block", maxWidth: 560 }}>
      <div className="panel empty">
        <h1>Not found</h1>
        <p>There is nothing at this address, or it is not yours to see.</p>
        <Link href="/">Back to the dashboard</Link>
      </div>
    </main>
  );
}
