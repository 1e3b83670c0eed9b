/**
 * Known credential formats. A vendor prefix plus the documented length is
 * strong evidence on its own, so these fire without a key name. Every pattern
 * starts with a literal prefix and uses bounded character classes, so scanning
 * stays linear on hostile input; extra conditions live in `check`, not in
 * backtracking-prone regexes.
 */
export interface TokenRule {
  rule: string;
  type: string;
  /** Global regex; the whole match is the secret. */
  re: RegExp;
  check?: (match: string) => boolean;
}

// Not preceded by a letter or digit: `xsk_live_...`, `wordgsk_...` are not tokens.
const B = "(?<![A-Za-z0-9])";
// Not followed by a token character: a longer run is some other string.
const E = "(?![A-Za-z0-9])";
const r = (source: string) => new RegExp(source, "g");

export const TOKEN_RULES: readonly TokenRule[] = [
  // GitHub
  { rule: "github-fine-grained-pat", type: "pat", re: r(`${B}github_pat_[A-Za-z0-9_]{60,255}${E}`) },
  { rule: "github-app-installation-token", type: "oauth_token", re: r(`${B}ghs_[0-9]{1,20}_[A-Za-z0-9_.-]{30,2000}`) },
  { rule: "github-pat", type: "pat", re: r(`${B}ghp_[A-Za-z0-9]{36,255}${E}`) },
  { rule: "github-oauth-token", type: "oauth_token", re: r(`${B}gh[ousr]_[A-Za-z0-9]{36,255}${E}`) },
  // GitLab
  { rule: "gitlab-pat", type: "pat", re: r(`${B}glpat-[A-Za-z0-9_-]{20,100}`) },
  { rule: "gitlab-token", type: "api_token", re: r(`${B}gl(?:dt|rt|ptt|ft|cbt|soat|imt|agent|oas|wt|ffct)-[A-Za-z0-9_-]{20,100}`) },
  { rule: "gitlab-runner-registration-token", type: "api_token", re: r(`${B}GR1348941[A-Za-z0-9_-]{20,100}`) },
  // Slack
  { rule: "slack-bot-token", type: "bot_token", re: r(`${B}xoxb-[0-9]{5,20}-[A-Za-z0-9-]{5,200}`) },
  { rule: "slack-user-token", type: "user_token", re: r(`${B}xoxp-[0-9]{5,20}-[A-Za-z0-9-]{5,200}`) },
  { rule: "slack-app-token", type: "app_token", re: r(`${B}xapp-[0-9]-[A-Z0-9]{5,20}-[0-9]{5,20}-[A-Za-z0-9]{10,200}`) },
  { rule: "slack-token", type: "api_token", re: r(`${B}xox[a-z](?:\\.xox[a-z])?-[0-9]{1,20}-[A-Za-z0-9-]{5,200}`) },
  { rule: "slack-webhook-url", type: "webhook_url", re: r(`https://hooks\\.slack\\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/+-]{20,300}`) },
  // Chat bots (MCP servers for Discord and Telegram take these)
  { rule: "discord-bot-token", type: "bot_token", re: r(`${B}[MNO][A-Za-z0-9_-]{23,27}\\.[A-Za-z0-9_-]{6}\\.[A-Za-z0-9_-]{27,38}${E}`) },
  { rule: "telegram-bot-token", type: "bot_token", re: r(`${B}[0-9]{8,10}:AA[A-Za-z0-9_-]{32,33}(?![A-Za-z0-9_-])`) },
  // Cloud providers
  { rule: "aws-access-key-id", type: "aws_access_key", re: r(`(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])`) },
  { rule: "google-api-key", type: "api_key", re: r(`${B}AIza[A-Za-z0-9_-]{35}${E}`) },
  { rule: "cloudflare-api-token", type: "api_token", re: r(`${B}cf(?:at|ut|k)_[A-Za-z0-9]{48}${E}`) },
  { rule: "vercel-token", type: "api_token", re: r(`${B}vc[pirak]_[A-Za-z0-9]{24,100}${E}`) },
  { rule: "databricks-pat", type: "pat", re: r(`${B}dapi[a-fA-F0-9]{32}(?:-[0-9]{1,2})?${E}`) },
  { rule: "hashicorp-vault-token", type: "vault_token", re: r(`${B}hv[sbr]\\.[A-Za-z0-9_-]{24,300}`) },
  { rule: "tailscale-key", type: "api_key", re: r(`(?<![A-Za-z])tskey-[a-z]{1,20}-[A-Za-z0-9]{6,40}-[A-Za-z0-9]{10,80}${E}`) },
  { rule: "docker-pat", type: "pat", re: r(`${B}dckr_pat_[A-Za-z0-9_-]{27,100}`) },
  { rule: "grafana-cloud-token", type: "api_token", re: r(`${B}glc_[A-Za-z0-9+/]{32,400}={0,2}`) },
  { rule: "grafana-service-account-token", type: "api_token", re: r(`${B}glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}${E}`) },
  // AI providers (Anthropic before the generic sk- shapes)
  { rule: "anthropic-api-key", type: "api_key", re: r(`${B}sk-ant-(?:api|admin)[0-9]{2}-[A-Za-z0-9_-]{80,200}`) },
  {
    rule: "openai-api-key",
    type: "api_key",
    re: r(`${B}sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{40,300}`),
    // The T3BlbkFJ marker ("OpenAI" in base64) separates OpenAI keys from other sk- strings.
    check: (m) => m.includes("T3BlbkFJ"),
  },
  { rule: "groq-api-key", type: "api_key", re: r(`${B}gsk_[A-Za-z0-9]{52}(?![A-Za-z0-9-])`) },
  { rule: "huggingface-token", type: "api_token", re: r(`${B}hf_[A-Za-z]{34}${E}`) },
  // SaaS
  { rule: "stripe-secret-key", type: "api_key", re: r(`${B}(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{24,247}${E}`) },
  { rule: "mailchimp-api-key", type: "api_key", re: r(`${B}[0-9a-f]{32}-us[0-9]{1,2}${E}`) },
  { rule: "sendgrid-api-key", type: "api_key", re: r(`${B}SG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])`) },
  { rule: "shopify-token", type: "api_token", re: r(`${B}shp(?:at|ca|pa|ss)_[A-Za-z0-9]{32,64}${E}`) },
  { rule: "notion-token", type: "api_token", re: r(`${B}ntn_[0-9]{11}[A-Za-z0-9]{35}${E}`) },
  { rule: "linear-api-key", type: "api_key", re: r(`${B}lin_api_[A-Za-z0-9]{40}${E}`) },
  { rule: "figma-pat", type: "pat", re: r(`${B}figd_[A-Za-z0-9_-]{40,100}`) },
  { rule: "npm-token", type: "api_token", re: r(`${B}npm_[A-Za-z0-9]{36}${E}`) },
  { rule: "1password-service-account-token", type: "api_token", re: r(`${B}ops_eyJ[A-Za-z0-9+/=_-]{100,5000}`) },
  // Generic bearer material
  { rule: "jwt", type: "jwt", re: r(`${B}eyJ[A-Za-z0-9_-]{8,4000}\\.eyJ[A-Za-z0-9_-]{8,8000}\\.[A-Za-z0-9_-]{8,2000}`) },
];

const PEM_BEGIN_RE = /-----BEGIN ((?:[A-Z0-9]+ ){0,4})PRIVATE KEY( BLOCK)?-----/g;
const PEM_HEADER_LINE_RE = /^(?:Proc-Type|DEK-Info|Comment|Version):.*$/gm;

export interface PemMatch {
  type: "private_key" | "ssh_key";
  start: number;
  end: number;
}

/**
 * A PEM private key with a real body. The body must hold enough base64 to be a
 * key: `-----BEGIN PRIVATE KEY-----\n...\n` and `xxx` bodies are templates. JSON
 * embeddings write newlines as a literal `\n`, so those count as whitespace.
 */
export function findPrivateKey(value: string): PemMatch | null {
  let endAt = -2; // -2: not searched yet; cached so repeated BEGIN lines do not rescan the value
  for (const m of value.matchAll(PEM_BEGIN_RE)) {
    const bodyStart = m.index + m[0].length;
    if (endAt !== -1 && endAt < bodyStart) endAt = value.indexOf("-----END", bodyStart);
    // The body stops at the next dash run (END, or another BEGIN) and at 16 KiB, so hostile input stays linear.
    const nextDashes = value.indexOf("-----", bodyStart);
    const bodyEnd = Math.min(nextDashes === -1 ? value.length : nextDashes, bodyStart + 16 * 1024);
    const body = value.slice(bodyStart, bodyEnd).replace(/\\n/g, "\n").replace(PEM_HEADER_LINE_RE, "").replace(/\s+/g, "");
    const base64 = body.replace(/[^A-Za-z0-9+/=]/g, "");
    if (base64.length < 64 || base64.length < body.length * 0.9) continue;
    const closeAt = endAt === bodyEnd ? value.indexOf("-----", endAt + 8) : -1;
    const end = closeAt === -1 ? bodyEnd : Math.min(value.length, closeAt + 5);
    return { type: m[1]?.includes("OPENSSH") ? "ssh_key" : "private_key", start: m.index, end };
  }
  return null;
}
