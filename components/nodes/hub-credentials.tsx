import Link from "next/link";
import { KindBadge } from "@/components/ui/kind-badge";
import { LocalTime } from "@/components/ui/local-time";
import { Table } from "@/components/ui/table";
import type { CredentialFacts, CredentialRow } from "@/lib/hub/credentials";
import { HubMore } from "./hub-more";
import styles from "./hub.module.css";

const STORAGE: Record<string, { tone: string; words: string }> = {
  hard_coded: { tone: "danger", words: "hard-coded" },
  config_file: { tone: "warn", words: "config file" },
  env: { tone: "info", words: "environment" },
  vault: { tone: "ok", words: "vault" },
};

function Storage({ value }: { value: string | null }) {
  if (!value) return <span className={styles.sub}>unknown</span>;
  const s = STORAGE[value];
  return <span className={`badge ${s?.tone ?? ""}`}>{s?.words ?? value}</span>;
}

function Expiry({ at, expired }: { at: string | null; expired: boolean }) {
  if (!at) return <span className={styles.sub}>never expires</span>;
  return (
    <>
      {expired ? <span className="badge danger">expired</span> : null} <LocalTime value={at} />
    </>
  );
}

/** A credential's own facts: where it is kept, its fingerprint, its dates. Never a value. */
function Facts({ c }: { c: CredentialFacts }) {
  return (
    <dl className="attrs" data-testid="credential-facts">
      <dt>Type</dt>
      <dd>{c.type ?? "—"}</dd>
      <dt>Storage</dt>
      <dd>
        <Storage value={c.storage} />
      </dd>
      <dt>Fingerprint</dt>
      <dd className={styles.mono}>{c.fingerprint ?? "—"}</dd>
      {c.location ? (
        <>
          <dt>Where</dt>
          <dd>{c.location}</dd>
        </>
      ) : null}
      <dt>Issued</dt>
      <dd>
        <LocalTime value={c.issuedAt} />
      </dd>
      <dt>Last rotated</dt>
      <dd>
        <LocalTime value={c.lastRotatedAt} />
      </dd>
      <dt>Expires</dt>
      <dd>
        <Expiry at={c.expiresAt} expired={c.expired} />
      </dd>
    </dl>
  );
}

const RELATION: Record<CredentialRow["relation"], string> = {
  uses: "uses it",
  for: "opens this",
  used_by: "uses this credential",
  opens: "this credential opens",
};

/** Credentials the node uses or that open it; for a credential, its facts, who uses it and what it opens. */
export function HubCredentials({
  nodeId,
  items,
  self,
  nextCursor,
  paged,
}: {
  nodeId: string;
  items: CredentialRow[];
  self: CredentialFacts | null;
  nextCursor: string | null;
  paged: boolean;
}) {
  return (
    <section className="panel" aria-labelledby="hub-cred-title" data-testid="hub-credentials">
      <h2 id="hub-cred-title" className={styles.panelTitle}>
        Credentials
      </h2>
      <p className={`subtitle ${styles.lead}`}>Where secrets are kept and their fingerprints; Attest never stores or shows a secret&apos;s value.</p>
      {self ? <Facts c={self} /> : null}
      {items.length === 0 ? (
        <p className="subtitle">
          {self ? "Nobody uses this credential and it opens nothing in the current graph." : "This node uses no credential and none is for it."}
        </p>
      ) : self ? (
        <Table caption="Who uses this credential and what it opens">
          <tbody>
            {items.map((r) => (
              <tr key={r.edgeId}>
                <td className={styles.nameCell}>
                  <Link href={`/nodes/${r.other!.id}`}>{r.other!.name}</Link>
                </td>
                <td>
                  <KindBadge kind={r.other!.kind} />
                </td>
                <td className={styles.sub}>{RELATION[r.relation]}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      ) : (
        <Table caption="Credentials of this node" testId="hub-credentials-table">
          <thead>
            <tr>
              <th>Credential</th>
              <th>Storage</th>
              <th>Fingerprint</th>
              <th>Last rotated</th>
              <th>Expires</th>
            </tr>
          </thead>
          <tbody>
            {items.map((r) => {
              const c = r.credential!;
              return (
                <tr key={r.edgeId}>
                  <td className={styles.nameCell}>
                    <Link href={`/nodes/${c.id}`}>{c.name}</Link>
                    <div className={styles.sub}>
                      {r.relation === "uses" ? "this node uses it" : "a credential for this node"}
                      {c.type ? ` · ${c.type}` : ""} · {c.source}
                    </div>
                  </td>
                  <td>
                    <Storage value={c.storage} />
                  </td>
                  <td className={styles.mono} title={c.fingerprint ?? undefined}>
                    {c.fingerprint ? `${c.fingerprint.slice(0, 19)}…` : "—"}
                  </td>
                  <td>
                    <LocalTime value={c.lastRotatedAt} />
                  </td>
                  <td>
                    <Expiry at={c.expiresAt} expired={c.expired} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </Table>
      )}
      <HubMore base={`/nodes/${nodeId}?tab=credentials`} nextCursor={nextCursor} paged={paged} what="credentials" />
    </section>
  );
}
