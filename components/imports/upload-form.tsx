"use client";

import { useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { ApiError, apiFetch, errorMessage } from "@/lib/client/api-fetch";
import type { ImportRow } from "./imports-table";

interface Problem {
  path: string;
  message: string;
}

type Outcome = { kind: "ok"; message: string; warnings: string[]; id: string } | { kind: "error"; message: string; details: Problem[] } | null;

/** The connectors' offline formats: a vendor's own API answers (JSON or a .zip), for servers that cannot reach the vendor. */
const VENDOR_FORMATS: Record<string, { label: string; hint: string }> = {
  "aws-iam": {
    label: "AWS IAM authorization details (JSON)",
    hint: "Send the JSON printed by aws iam get-account-authorization-details (all pages merged, or the first page with IsTruncated false).",
  },
  "entra-graph": {
    label: "Microsoft Entra ID Graph answers (JSON or .zip)",
    hint: "Send the Microsoft Graph answers (users, groups, applications, service principals, app role assignments, grants) keyed by the call that produced them, as one JSON or a .zip of files.",
  },
  "okta-api": {
    label: "Okta Management API answers (JSON or .zip)",
    hint: "Send the Okta Management API answers (users, groups, apps and their assignments) keyed by the call that produced them, as one JSON or a .zip of files.",
  },
  "github-rest": {
    label: "GitHub REST answers (JSON or .zip)",
    hint: "Send the GitHub REST answers (org members, teams, repositories, collaborators, app installations, PAT grants) keyed by the call that produced them, as one JSON or a .zip of files.",
  },
};

/** Uploads a file to POST /api/v1/imports as multipart, then refreshes the history. */
export function UploadForm() {
  const client = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [format, setFormat] = useState("graph");
  const [outcome, setOutcome] = useState<Outcome>(null);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setBusy(true);
    setOutcome(null);
    const data = new FormData(e.currentTarget);
    for (const [k, v] of [...data.entries()]) if (v === "" || (v instanceof File && v.size === 0 && v.name === "")) data.delete(k);
    try {
      const body = await apiFetch<ImportRow>("/api/v1/imports", { method: "POST", body: data });
      const c = body.counts ?? {};
      const read = body.detectedFormat ? ` Read as ${body.detectedFormat}.` : "";
      setOutcome({
        kind: "ok",
        id: body.id,
        message: `Imported: ${c.nodesCreated} nodes created, ${c.nodesUpdated} updated, ${c.nodesEnded} ended; ${c.edgesCreated} edges created, ${c.edgesUpdated} updated, ${c.edgesEnded} ended.${read}`,
        warnings: Array.isArray(body.warnings) ? body.warnings : [],
      });
    } catch (err) {
      setOutcome({
        kind: "error",
        message: err instanceof ApiError ? err.message : errorMessage(err),
        details: err instanceof ApiError ? err.details.map((d) => ({ path: d.path ?? "", message: d.message })) : [],
      });
    } finally {
      setBusy(false);
      await client.invalidateQueries({ queryKey: ["imports"] });
    }
  }

  // A tools/list answer names its server instead: its tools are kept in the server's own source.
  const needsSource = format !== "graph" && format !== "jsonl" && format !== "mcp-tools";
  return (
    <form className="panel" onSubmit={submit} aria-labelledby="upload-title" encType="multipart/form-data">
      <h2 id="upload-title" style={{ marginTop: 0 }}>
        Import a file
      </h2>
      <div className="toolbar">
        <label>
          Format{" "}
          <select name="format" value={format} onChange={(e) => setFormat(e.target.value)} aria-label="Format">
            <option value="graph">Attest graph document (JSON)</option>
            <option value="jsonl">Attest graph document (JSONL)</option>
            <option value="csv">CSV nodes + edges</option>
            <option value="mcp-config">MCP client config</option>
            <option value="mcp-tools">MCP tools/list answer</option>
            <option value="bloodhound-opengraph">BloodHound OpenGraph</option>
            <option value="baton">ConductorOne Baton template</option>
            <optgroup label="A vendor's own export">
              {Object.entries(VENDOR_FORMATS).map(([value, f]) => (
                <option key={value} value={value}>
                  {f.label}
                </option>
              ))}
            </optgroup>
          </select>
        </label>
        <label>
          Mode{" "}
          <select name="mode" defaultValue="" aria-label="Mode">
            <option value="">as the document says</option>
            <option value="full">full (end-date what is missing)</option>
            <option value="incremental">incremental (upsert only)</option>
          </select>
        </label>
        {needsSource ? (
          <input className="text" name="source" placeholder="Source name, e.g. okta-prod" aria-label="Source" required style={{ minWidth: 200 }} />
        ) : null}
        {format === "mcp-config" ? (
          <input
            className="text"
            name="server"
            placeholder="Server name (single-server snippet only)"
            aria-label="Server name"
            title="Only for a single server definition copied from an install guide"
            style={{ minWidth: 220 }}
          />
        ) : null}
        {format === "mcp-tools" ? (
          <input
            className="text"
            name="server"
            placeholder="Server: mcp-configs:mcp_server:github, or a new name"
            aria-label="Server"
            required
            style={{ minWidth: 280 }}
          />
        ) : null}
        <label>
          <input type="checkbox" name="allowPartial" value="true" /> accept valid records, report the rest
        </label>
      </div>
      {VENDOR_FORMATS[format] ? (
        <p className="subtitle" data-testid="format-hint">
          {VENDOR_FORMATS[format].hint} The layout is in the README (Connectors, offline formats).
        </p>
      ) : null}
      <div className="toolbar">
        {format === "csv" ? (
          <>
            <label>
              Nodes CSV <input type="file" name="nodes" accept=".csv,text/csv" aria-label="Nodes CSV" />
            </label>
            <label>
              Edges CSV <input type="file" name="edges" accept=".csv,text/csv" aria-label="Edges CSV" />
            </label>
          </>
        ) : (
          <label>
            File{" "}
            <input
              type="file"
              name="file"
              required
              aria-label="File"
              accept={VENDOR_FORMATS[format] ? ".json,.zip,application/json,application/zip" : undefined}
            />
          </label>
        )}
        <button className="btn" type="submit" disabled={busy}>
          {busy ? "Importing…" : "Import"}
        </button>
      </div>
      {outcome ? (
        <div
          className={outcome.kind === "ok" ? "badge ok" : "alert"}
          role={outcome.kind === "ok" ? "status" : "alert"}
          style={{ display: "block", padding: "0.5rem 0.75rem", borderRadius: 6 }}
        >
          {outcome.message}
          {outcome.kind === "ok" ? (
            <>
              {" "}
              <Link href={`/imports/${encodeURIComponent(outcome.id)}`}>Open the run →</Link>
            </>
          ) : null}
          {outcome.kind === "error" && outcome.details.length ? (
            <ul style={{ margin: "0.4rem 0 0", paddingLeft: "1.2rem" }}>
              {outcome.details.slice(0, 20).map((d, i) => (
                <li key={i}>
                  <code>{d.path}</code>: {d.message}
                </li>
              ))}
              {outcome.details.length > 20 ? <li>… and {outcome.details.length - 20} more (see the import below)</li> : null}
            </ul>
          ) : null}
          {outcome.kind === "ok" && outcome.warnings.length ? (
            <ul aria-label="Import warnings" style={{ margin: "0.4rem 0 0", paddingLeft: "1.2rem" }}>
              {outcome.warnings.slice(0, 20).map((w, i) => (
                <li key={i}>{w}</li>
              ))}
              {outcome.warnings.length > 20 ? <li>… and {outcome.warnings.length - 20} more (see the import below)</li> : null}
            </ul>
          ) : null}
        </div>
      ) : null}
    </form>
  );
}
