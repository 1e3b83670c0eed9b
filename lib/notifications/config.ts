/**
 * Where notifications go, from the environment: the SMTP server (ATTEST_SMTP_URL,
 * ATTEST_MAIL_FROM, optional ATTEST_SMTP_USER / ATTEST_SMTP_PASSWORD and TLS
 * options) and the public address of this app that messages link to
 * (ATTEST_PUBLIC_URL, else AUTH_URL, else http://localhost:PORT).
 */

export interface SmtpConfig {
  host: string;
  port: number;
  /** smtps:// — TLS from the first byte (usually port 465); smtp:// upgrades with STARTTLS when the server offers it. */
  secure: boolean;
  /** ATTEST_SMTP_REQUIRE_TLS=true: refuse to send over a connection that did not upgrade to TLS. */
  requireTls: boolean;
  /** ATTEST_SMTP_TLS_REJECT_UNAUTHORIZED=false: accept a certificate no CA vouches for (a relay inside the network). */
  rejectUnauthorized: boolean;
  from: string;
  auth: { user: string; pass: string } | null;
}

export interface SmtpStatus {
  configured: boolean;
  /** What may be shown: host:port, the from-address, whether a login is used; never the password. */
  host: string | null;
  from: string | null;
  secure: boolean;
  auth: boolean;
  problem: string | null;
}

const truthy = (v: string | undefined) => /^(1|true|yes|on)$/i.test(v ?? "");
const falsy = (v: string | undefined) => /^(0|false|no|off)$/i.test(v ?? "");

/** The SMTP settings, or why there are none ("not configured" is not an error: e-mail deliveries are then skipped). */
export function smtpConfig(env: NodeJS.ProcessEnv = process.env): { config: SmtpConfig | null; problem: string | null } {
  const raw = env.ATTEST_SMTP_URL?.trim();
  if (!raw) return { config: null, problem: "ATTEST_SMTP_URL is not set: e-mail is off" };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { config: null, problem: "ATTEST_SMTP_URL is not a URL (smtp://host:port or smtps://host:465)" };
  }
  if (url.protocol !== "smtp:" && url.protocol !== "smtps:") return { config: null, problem: "ATTEST_SMTP_URL must start with smtp:// or smtps://" };
  const secure = url.protocol === "smtps:";
  const port = url.port ? Number(url.port) : secure ? 465 : 587;
  const from = env.ATTEST_MAIL_FROM?.trim() || `Attest <attest@${url.hostname.replace(/^\[|\]$/g, "") || "localhost"}>`;
  // A login in the URL is taken too, but the separate variables are preferred (a URL is shown in more places).
  const user = env.ATTEST_SMTP_USER ?? (url.username ? decodeURIComponent(url.username) : "");
  const pass = env.ATTEST_SMTP_PASSWORD ?? (url.password ? decodeURIComponent(url.password) : "");
  return {
    config: {
      host: url.hostname.replace(/^\[|\]$/g, ""),
      port,
      secure,
      requireTls: truthy(env.ATTEST_SMTP_REQUIRE_TLS),
      rejectUnauthorized: !falsy(env.ATTEST_SMTP_TLS_REJECT_UNAUTHORIZED),
      from,
      auth: user ? { user, pass } : null,
    },
    problem: null,
  };
}

export function smtpStatus(env: NodeJS.ProcessEnv = process.env): SmtpStatus {
  const { config, problem } = smtpConfig(env);
  if (!config) return { configured: false, host: null, from: null, secure: false, auth: false, problem };
  return { configured: true, host: `${config.host}:${config.port}`, from: config.from, secure: config.secure, auth: !!config.auth, problem: null };
}

/** The address messages link to, without a trailing slash. */
export function publicBaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  for (const v of [env.ATTEST_PUBLIC_URL, env.AUTH_URL, env.NEXTAUTH_URL]) {
    const s = v?.trim();
    if (!s) continue;
    try {
      const u = new URL(s);
      if (u.protocol === "http:" || u.protocol === "https:") return `${u.origin}${u.pathname.replace(/\/+$/, "").replace(/\/api\/auth$/, "")}`;
    } catch {
      // not a URL: try the next one
    }
  }
  return `http://localhost:${env.PORT || 3000}`;
}

/** The inbox filtered to one campaign: where every message sends its reader. */
export function inboxLink(campaignId: string, env: NodeJS.ProcessEnv = process.env): string {
  return `${publicBaseUrl(env)}/campaigns/inbox?campaign=${encodeURIComponent(campaignId)}`;
}
