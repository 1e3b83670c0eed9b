"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import type { FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { LocalTime } from "@/components/ui/local-time";
import { apiFetch, ApiError, errorMessage } from "@/lib/client/api-fetch";
import styles from "./admin.module.css";

export interface OutboundSettingsProps {
  allowHosts: string[];
  allowPrivateRanges: string[];
  env: { allowHosts: string[]; allowPrivateRanges: string[]; ignored: string[] };
  updatedBy: string | null;
  updatedAt: string | null;
}

const lines = (v: FormDataEntryValue | null) =>
  String(v ?? "")
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);

/** Every located problem ("allowHosts[1]: …"), so each bad line is named. */
const problems = (err: unknown) =>
  err instanceof ApiError && err.details.length ? err.details.map((d) => (d.path ? `${d.path}: ${d.message}` : d.message)).join("; ") : errorMessage(err);

/** Where the server may send requests (MCP discovery today): host patterns and opened private ranges. */
export function OutboundPanel({ settings }: { settings: OutboundSettingsProps }) {
  const router = useRouter();
  const save = useMutation({
    mutationFn: (body: { allowHosts: string[]; allowPrivateRanges: string[] }) => apiFetch("/api/v1/settings/outbound", { method: "PUT", body }),
    onSuccess: () => router.refresh(),
  });

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    save.mutate({ allowHosts: lines(f.get("allowHosts")), allowPrivateRanges: lines(f.get("allowPrivateRanges")) });
  }

  const env = settings.env;
  return (
    <form className="panel" onSubmit={submit} aria-labelledby="outbound-title">
      <p className={`subtitle ${styles.formTitle}`}>
        Live MCP discovery makes this server send requests. It reaches only the hosts below, and never a loopback, private, link-local or cloud metadata address
        unless that range is opened too. Nothing is allowed until you add it.
      </p>
      <label htmlFor="outbound-hosts">
        <strong>Allowed hosts</strong>, one per line: <code>mcp.example.com</code>, <code>*.example.com</code> (subdomains), <code>host:port</code>, or{" "}
        <code>*</code> (any public host)
      </label>
      <br />
      <textarea
        id="outbound-hosts"
        name="allowHosts"
        rows={4}
        className={`mono ${styles.area}`}
        defaultValue={settings.allowHosts.join("\n")}
        aria-label="Allowed hosts"
      />
      <br />
      <label htmlFor="outbound-ranges">
        <strong>Opened private ranges</strong>, one per line: addresses or CIDR ranges such as <code>10.20.0.0/16</code> for a discovery target inside your
        network
      </label>
      <br />
      <textarea
        id="outbound-ranges"
        name="allowPrivateRanges"
        rows={3}
        className={`mono ${styles.area}`}
        defaultValue={settings.allowPrivateRanges.join("\n")}
        aria-label="Opened private ranges"
      />
      {env.allowHosts.length + env.allowPrivateRanges.length + env.ignored.length > 0 ? (
        <p className="subtitle" data-testid="outbound-env">
          Also allowed by the environment: {[...env.allowHosts, ...env.allowPrivateRanges].join(", ") || "nothing"}
          {env.ignored.length ? ` (ignored, not a host pattern or range: ${env.ignored.join(", ")})` : ""}
        </p>
      ) : null}
      <div className="toolbar">
        <button className="btn" type="submit">
          Save outbound settings
        </button>
        {settings.updatedAt ? (
          <span className="subtitle">
            Last changed <LocalTime value={settings.updatedAt} /> by {settings.updatedBy}
          </span>
        ) : null}
      </div>
      {save.isSuccess ? <Alert tone="ok">Saved; applies to the next request.</Alert> : null}
      {save.isError ? <Alert>{problems(save.error)}</Alert> : null}
    </form>
  );
}
