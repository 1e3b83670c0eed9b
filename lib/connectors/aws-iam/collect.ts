import {
  GetAccountAuthorizationDetailsCommand,
  IAMClient,
  type GetAccountAuthorizationDetailsCommandInput,
  type GetAccountAuthorizationDetailsCommandOutput,
} from "@aws-sdk/client-iam";
import { ConnectorError, failureForStatus } from "../errors";
import type { CollectContext } from "../types";
import type { AwsIamCredential, AwsIamSettings } from "./settings";

/** The bundle key of the one call this connector makes (also the offline layout's key). */
export const CALL = "GetAccountAuthorizationDetails";
/** Every entity type: AWS managed policies come back only when something in the account uses them (see the doc). */
export const FILTER = ["User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"] as const;
/** The API's largest page. */
export const MAX_PAGE = 1000;

type HandlerRequest = {
  method: string;
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query?: Record<string, string | string[] | null>;
  headers: Record<string, string>;
  body?: unknown;
};

/**
 * The SDK's request handler (a smithy HttpHandler): every request the IAM
 * client signs goes out through the connector's fetch (the app's outbound
 * client with the polite retry policy), never through the SDK's own agent.
 */
export class OutboundHttpHandler {
  constructor(private readonly send: CollectContext<unknown, unknown>["fetch"]) {}

  async handle(request: HandlerRequest, options: { abortSignal?: AbortSignal | { aborted: boolean } } = {}) {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(request.query ?? {})) {
      if (v === null) query.append(k, "");
      else for (const one of Array.isArray(v) ? v : [v]) query.append(k, one);
    }
    const qs = query.toString();
    const url = `${request.protocol}//${request.hostname}${request.port ? `:${request.port}` : ""}${request.path}${qs ? `?${qs}` : ""}`;
    const headers = new Headers();
    for (const [k, v] of Object.entries(request.headers)) if (k.toLowerCase() !== "host" && k.toLowerCase() !== "content-length") headers.set(k, v);
    const body = request.method === "GET" || request.method === "HEAD" ? undefined : (request.body as BodyInit | undefined);
    const signal = options.abortSignal instanceof AbortSignal ? options.abortSignal : undefined;
    const res = await this.send(url, { method: request.method, headers, body, signal });
    const out: Record<string, string> = {};
    res.headers.forEach((v, k) => (out[k] = v));
    return { response: { statusCode: res.status, reason: res.statusText, headers: out, body: res.body ?? new Blob([]) } };
  }

  updateHttpClientConfig(): void {}

  httpHandlerConfigs(): Record<string, never> {
    return {};
  }

  destroy(): void {}
}

export function iamClient(ctx: CollectContext<AwsIamSettings, AwsIamCredential>): IAMClient {
  const { settings, credential } = ctx;
  return new IAMClient({
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    credentials: {
      accessKeyId: credential.accessKeyId,
      secretAccessKey: credential.secretAccessKey,
      ...(credential.sessionToken ? { sessionToken: credential.sessionToken } : {}),
    },
    // politeFetch is the one retry policy.
    maxAttempts: 1,
    useFipsEndpoint: false,
    useDualstackEndpoint: false,
    requestHandler: new OutboundHttpHandler(ctx.fetch),
  });
}

const AUTH_CODES = new Set([
  "ExpiredToken",
  "ExpiredTokenException",
  "InvalidClientTokenId",
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "IncompleteSignature",
  "UnrecognizedClientException",
  "MissingAuthenticationToken",
  "AuthFailure",
  "RequestExpired",
]);
const FORBIDDEN_CODES = new Set(["AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess"]);
const THROTTLE_CODES = new Set(["Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException", "RequestThrottled"]);

/**
 * What an error thrown by the SDK means for the run, by AWS's error code
 * (the SDK's error name) and status only: the message AWS wrote is never
 * repeated. Errors that are not the service's (network, ours) pass through
 * so the run engine can use what the outbound client recorded.
 */
export function classifyAwsError(e: unknown): unknown {
  if (e instanceof ConnectorError) return e;
  if (typeof e !== "object" || e === null) return e;
  const err = e as { name?: unknown; $metadata?: { httpStatusCode?: unknown }; $fault?: unknown };
  const status = typeof err.$metadata?.httpStatusCode === "number" ? err.$metadata.httpStatusCode : undefined;
  const name = typeof err.name === "string" ? err.name : "";
  const call = CALL;
  if (AUTH_CODES.has(name)) return new ConnectorError("auth_failed", { httpStatus: status, call });
  if (FORBIDDEN_CODES.has(name)) return new ConnectorError("forbidden", { httpStatus: status, call });
  if (THROTTLE_CODES.has(name)) return new ConnectorError("throttled", { httpStatus: status, call, detail: "AWS answered Throttling" });
  // The SDK could not read a successful answer (not the Query protocol's XML).
  if (status !== undefined && status < 300) return new ConnectorError("malformed", { httpStatus: status, call, detail: "the answer is not IAM's XML" });
  if (status !== undefined && status >= 400 && err.$fault !== undefined) return new ConnectorError(failureForStatus(status), { httpStatus: status, call });
  return e;
}

const DOC_KEYS = new Set(["PolicyDocument", "AssumeRolePolicyDocument", "Document"]);

/** A policy document as IAM sends it (URL-encoded JSON text) → the JSON object the CLI prints; kept as text when it is not that. */
export function decodePolicyDocument(text: string): unknown {
  for (const candidate of [text, safeDecode(text)]) {
    if (candidate === undefined) continue;
    const t = candidate.trim();
    if (!t.startsWith("{")) continue;
    try {
      return JSON.parse(t);
    } catch {
      // try the next reading
    }
  }
  return text;
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** The SDK's answer in the shape `aws iam get-account-authorization-details` prints: ISO dates, decoded policy documents, no $metadata. */
export function toCliShape(value: unknown, key?: string): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "string") return key && DOC_KEYS.has(key) ? decodePolicyDocument(value) : value;
  if (Array.isArray(value)) return value.map((v) => toCliShape(v));
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === "$metadata" || v === undefined) continue;
      out[k] = toCliShape(v, k);
    }
    return out;
  }
  return value;
}

function entityCount(page: GetAccountAuthorizationDetailsCommandOutput): number {
  return (page.UserDetailList?.length ?? 0) + (page.GroupDetailList?.length ?? 0) + (page.RoleDetailList?.length ?? 0) + (page.Policies?.length ?? 0);
}

async function send(client: IAMClient, input: GetAccountAuthorizationDetailsCommandInput, signal: AbortSignal) {
  try {
    const page = await client.send(new GetAccountAuthorizationDetailsCommand(input), { abortSignal: signal });
    if (typeof page.IsTruncated !== "boolean")
      throw new ConnectorError("malformed", { call: CALL, detail: "the answer lacks IsTruncated (not a GetAccountAuthorizationDetails result)" });
    if (page.IsTruncated && !page.Marker) throw new ConnectorError("malformed", { call: CALL, detail: "a truncated answer without a Marker" });
    return page;
  } catch (e) {
    throw classifyAwsError(e);
  }
}

/** Pages through GetAccountAuthorizationDetails (IsTruncated / Marker), one bundle page per call. */
export async function collectIam(ctx: CollectContext<AwsIamSettings, AwsIamCredential>): Promise<void> {
  const client = iamClient(ctx);
  try {
    const seen = new Set<string>();
    let marker: string | undefined;
    let items = 0;
    let pages = 0;
    for (;;) {
      const page = await send(client, { Filter: [...FILTER], MaxItems: ctx.settings.pageSize, ...(marker ? { Marker: marker } : {}) }, ctx.signal);
      ctx.bundle.add(CALL, toCliShape(page));
      pages++;
      items += entityCount(page);
      ctx.progress(`reading IAM users, groups, roles and policies: ${items.toLocaleString("en-US")} (page ${pages})`);
      if (!page.IsTruncated) break;
      marker = page.Marker!;
      if (seen.has(marker)) throw new ConnectorError("malformed", { call: CALL, detail: `page ${pages} repeated an earlier Marker` });
      seen.add(marker);
    }
    checkAccount(ctx);
  } finally {
    client.destroy();
  }
}

const ARN_ACCOUNT = /^arn:[^:]+:iam::(\d{12}):/;

/** A run must not read another account into this source (a full run would end every node of the right one). */
function checkAccount(ctx: CollectContext<AwsIamSettings, AwsIamCredential>): void {
  const want = ctx.settings.accountId;
  if (!want) return;
  for (const page of ctx.bundle.pages(CALL) ?? []) {
    for (const key of ["UserDetailList", "GroupDetailList", "RoleDetailList"]) {
      const list = (page as Record<string, unknown>)[key];
      if (!Array.isArray(list)) continue;
      for (const item of list) {
        const arn = (item as { Arn?: unknown })?.Arn;
        const account = typeof arn === "string" ? ARN_ACCOUNT.exec(arn)?.[1] : undefined;
        if (account && account !== want)
          throw new ConnectorError("auth_failed", { call: CALL, detail: "the credential belongs to another AWS account than the one in the settings" });
      }
    }
  }
}

/** One call with MaxItems=1: proves the credential and the permission; says which account answered. */
export async function testIam(ctx: CollectContext<AwsIamSettings, AwsIamCredential>): Promise<string> {
  const client = iamClient(ctx);
  try {
    const page = toCliShape(await send(client, { MaxItems: 1 }, ctx.signal)) as Record<string, unknown>;
    const accounts = new Set<string>();
    for (const key of ["UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"]) {
      const list = page[key];
      if (!Array.isArray(list)) continue;
      for (const item of list) {
        const arn = (item as { Arn?: unknown })?.Arn;
        const account = typeof arn === "string" ? ARN_ACCOUNT.exec(arn)?.[1] : undefined;
        if (account) accounts.add(account);
      }
    }
    const account = [...accounts][0];
    if (account && ctx.settings.accountId && account !== ctx.settings.accountId)
      throw new ConnectorError("auth_failed", { call: CALL, detail: "the credential belongs to another AWS account than the one in the settings" });
    return account
      ? `iam:GetAccountAuthorizationDetails allowed in account ${account}`
      : "iam:GetAccountAuthorizationDetails allowed (the first entry named no account)";
  } finally {
    client.destroy();
  }
}
