/**
 * The Shared Signals event types a trigger rule can take (OpenID CAEP 1.0 and
 * RISC 1.0). A SET carrying other types is still accepted (RFC 8935 lets a
 * receiver ignore what it does not use) and recorded, but fires no rule.
 */
export const SSF_EVENT_TYPES = [
  { short: "session-revoked", uri: "https://schemas.openid.net/secevent/caep/event-type/session-revoked", label: "Session revoked (CAEP)" },
  { short: "credential-change", uri: "https://schemas.openid.net/secevent/caep/event-type/credential-change", label: "Credential changed (CAEP)" },
  { short: "account-disabled", uri: "https://schemas.openid.net/secevent/risc/event-type/account-disabled", label: "Account disabled (RISC)" },
  {
    short: "credential-compromise",
    uri: "https://schemas.openid.net/secevent/risc/event-type/credential-compromise",
    label: "Credential compromised (RISC)",
  },
] as const;

/** The URI of an accepted event type given by URI or short name, or null. */
export function ssfEventTypeUri(s: string): string | null {
  const hit = SSF_EVENT_TYPES.find((t) => t.uri === s || t.short === s);
  return hit?.uri ?? null;
}

export function ssfEventLabel(uri: string): string {
  return SSF_EVENT_TYPES.find((t) => t.uri === uri)?.label ?? uri.split("/").pop() ?? uri;
}
