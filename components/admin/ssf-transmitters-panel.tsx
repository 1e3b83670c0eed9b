"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { LocalTime } from "@/components/ui/local-time";
import { Table } from "@/components/ui/table";
import type { SsfEventView, TransmitterView } from "@/lib/campaigns/ssf/transmitters";
import { ssfEventLabel } from "@/lib/campaigns/triggers/ssf-event-types";
import { apiFetch, errorMessage } from "@/lib/client/api-fetch";
import styles from "./admin.module.css";

const KEY = ["admin", "ssf"] as const;

/**
 * Shared Signals transmitters (who may push SETs to /api/v1/ssf/events, and
 * with which public keys) and the latest events received, with the person each
 * matched and what the trigger rules did.
 */
export function SsfTransmittersPanel({ transmitters, events, receiverUrl }: { transmitters: TransmitterView[]; events: SsfEventView[]; receiverUrl: string }) {
  const qc = useQueryClient();
  const { data } = useQuery({
    queryKey: [...KEY, "transmitters"],
    queryFn: async () => (await apiFetch<{ items: TransmitterView[] }>("/api/v1/ssf/transmitters")).items,
    initialData: transmitters,
  });
  const recent = useQuery({
    queryKey: [...KEY, "events"],
    queryFn: async () => (await apiFetch<{ items: SsfEventView[] }>("/api/v1/ssf/events?limit=50")).items,
    initialData: events,
  });
  const [keysBy, setKeysBy] = useState<"url" | "inline">("url");
  const refresh = () => void qc.invalidateQueries({ queryKey: KEY });
  const create = useMutation({
    mutationFn: (body: Record<string, unknown>) => apiFetch<TransmitterView>("/api/v1/ssf/transmitters", { method: "POST", body }),
    onSuccess: refresh,
  });
  const toggle = useMutation({
    mutationFn: (t: TransmitterView) => apiFetch(`/api/v1/ssf/transmitters/${encodeURIComponent(t.id)}`, { method: "PATCH", body: { enabled: !t.enabled } }),
    onSuccess: refresh,
  });
  const [jwksError, setJwksError] = useState<string | null>(null);

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    setJwksError(null);
    let keys: Record<string, unknown> = {};
    if (keysBy === "url") keys = { jwksUrl: String(f.get("jwksUrl") ?? "").trim() };
    else {
      try {
        keys = { jwks: JSON.parse(String(f.get("jwks") ?? "")) as unknown };
      } catch {
        setJwksError('The key set is not JSON: paste the transmitter\'s JWKS ({ "keys": [...] }), public keys only.');
        return;
      }
    }
    create.mutate(
      { name: String(f.get("name") ?? "").trim(), issuer: String(f.get("issuer") ?? "").trim(), audience: String(f.get("audience") ?? "").trim(), ...keys },
      { onSuccess: () => form.reset() },
    );
  }

  return (
    <>
      <form className={`panel ${styles.form}`} onSubmit={submit} aria-labelledby="new-transmitter">
        <h2 id="new-transmitter" className={styles.formTitle}>
          New transmitter
        </h2>
        <p className={styles.sub}>
          The transmitter pushes Security Event Tokens to <code>{receiverUrl}</code> (RFC 8935). Each SET must carry its issuer, name the audience given here
          and be signed with one of its public keys.
        </p>
        <div className={styles.row}>
          <input className="text" name="name" placeholder="Name, e.g. Okta" aria-label="Transmitter name" required maxLength={200} />
          <input className="text" name="issuer" placeholder="Issuer (iss)" aria-label="Issuer" required maxLength={500} />
          <input className="text" name="audience" placeholder="Audience (aud) its SETs name" aria-label="Audience" required maxLength={500} />
        </div>
        <fieldset className={styles.row} style={{ border: 0, padding: 0, margin: "0.5rem 0" }}>
          <legend className="sr-only">Where its keys are</legend>
          <label>
            <input type="radio" name="keysBy" checked={keysBy === "url"} onChange={() => setKeysBy("url")} /> Key set URL (jwks_uri)
          </label>
          <label>
            <input type="radio" name="keysBy" checked={keysBy === "inline"} onChange={() => setKeysBy("inline")} /> Paste the key set
          </label>
        </fieldset>
        {keysBy === "url" ? (
          <div className={styles.row}>
            <input className="text" name="jwksUrl" type="url" placeholder="https://idp.example.com/.well-known/jwks.json" aria-label="Key set URL" required />
          </div>
        ) : (
          <textarea
            name="jwks"
            aria-label="Key set (JWKS)"
            rows={5}
            required
            style={{ width: "100%", maxWidth: "40rem" }}
            placeholder='{ "keys": [ { "kty": "EC", … } ] }'
          />
        )}
        <div>
          <button className="btn" type="submit" disabled={create.isPending}>
            Add transmitter
          </button>
        </div>
        {jwksError ? <Alert>{jwksError}</Alert> : null}
        {create.isError ? <Alert>{errorMessage(create.error)}</Alert> : null}
      </form>
      {toggle.isError ? <Alert>{errorMessage(toggle.error)}</Alert> : null}
      {data.length === 0 ? (
        <p className="subtitle">No transmitters yet: every SET is refused (invalid_issuer).</p>
      ) : (
        <Table testId="ssf-transmitters" caption="Transmitters">
          <thead>
            <tr>
              <th>Transmitter</th>
              <th>Audience</th>
              <th>Keys</th>
              <th className="num">Events</th>
              <th>Last event</th>
              <th>Status</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {data.map((t) => (
              <tr key={t.id}>
                <td>
                  {t.name}
                  <p className={styles.sub}>{t.issuer}</p>
                </td>
                <td>{t.audience}</td>
                <td>{t.jwksUrl ? <span className={styles.sub}>{t.jwksUrl}</span> : t.keys.map((k) => `${k.kid ?? k.kty} (${k.alg ?? k.kty})`).join(", ")}</td>
                <td className="num">{t.events}</td>
                <td>{t.lastEventAt ? <LocalTime value={t.lastEventAt} /> : "—"}</td>
                <td>{t.enabled ? <Badge tone="ok">enabled</Badge> : <Badge tone="danger">disabled</Badge>}</td>
                <td>
                  <button className="btn secondary" type="button" onClick={() => toggle.mutate(t)}>
                    {t.enabled ? "Disable" : "Enable"}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      <h2>Recent events</h2>
      {recent.data.length === 0 ? (
        <p className="subtitle">No SET received yet. Refused ones are in the audit log (ssf.set_refused).</p>
      ) : (
        <Table testId="ssf-events" caption="Recent events">
          <thead>
            <tr>
              <th>Received</th>
              <th>Event</th>
              <th>From</th>
              <th>Person</th>
              <th>Outcome</th>
            </tr>
          </thead>
          <tbody>
            {recent.data.map((e) => (
              <tr key={e.id}>
                <td>
                  <LocalTime value={e.receivedAt} />
                </td>
                <td>{e.eventTypes.map(ssfEventLabel).join(", ")}</td>
                <td>{e.transmitter.name}</td>
                <td>{e.node ? e.node.name : <Badge tone="warn">no match</Badge>}</td>
                <td>
                  {e.firings.length === 0
                    ? e.outcome === "matched"
                      ? "no rule fired (yet)"
                      : "—"
                    : e.firings.map((f) => (
                        <div key={f.ruleId}>
                          {f.campaignId ? (
                            <a href={`/campaigns/${f.campaignId}`}>{f.outcome === "opened" ? "campaign opened" : f.outcome}</a>
                          ) : (
                            f.outcome.replace("_", " ")
                          )}
                        </div>
                      ))}
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </>
  );
}
