import { createHash, createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { SignatureV4 } from "@smithy/signature-v4";
import { startFakeVendor, type FakeAnswer, type FakeRequest, type FakeVendor } from "@/lib/testing/fake-vendor";

/**
 * A local IAM (AWS Query protocol: form POST in, XML out) answering
 * GetAccountAuthorizationDetails from an account in the CLI's JSON shape
 * (fixtures/fake-account.json, grown from the AWS CLI's documented example),
 * the way IAM does: SigV4 checked against the known keys, entities paged by
 * MaxItems (default 100) with an opaque Marker, policy documents URL-encoded,
 * the Filter honoured, errors as IAM's <ErrorResponse> XML.
 */
export const FIXTURES = path.resolve(import.meta.dirname, "..", "fixtures");
export const NS = "https://iam.amazonaws.com/doc/2010-05-08/";

export interface IamAccount {
  UserDetailList: Record<string, unknown>[];
  GroupDetailList: Record<string, unknown>[];
  RoleDetailList: Record<string, unknown>[];
  Policies: Record<string, unknown>[];
}

export function loadAccount(file = "fake-account.json"): IamAccount {
  return JSON.parse(readFileSync(path.join(FIXTURES, file), "utf8")) as IamAccount;
}

export const TEST_KEYS = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};

const DOC_KEYS = new Set(["PolicyDocument", "AssumeRolePolicyDocument", "Document"]);

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** One value as Query-protocol XML: lists as <member>, policy documents URL-encoded as IAM sends them. */
export function toXml(name: string, value: unknown, indent = ""): string {
  if (value === undefined || value === null) return "";
  if (DOC_KEYS.has(name) && typeof value === "object") return `${indent}<${name}>${esc(encodeURIComponent(JSON.stringify(value)))}</${name}>\n`;
  if (Array.isArray(value)) {
    if (value.length === 0) return `${indent}<${name}/>\n`;
    return `${indent}<${name}>\n${value.map((v) => toXml("member", v, `${indent}  `)).join("")}${indent}</${name}>\n`;
  }
  if (typeof value === "object") {
    const inner = Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => toXml(k, v, `${indent}  `))
      .join("");
    return `${indent}<${name}>\n${inner}${indent}</${name}>\n`;
  }
  return `${indent}<${name}>${esc(String(value))}</${name}>\n`;
}

export function errorXml(code: string, message: string, requestId: string): string {
  return `<ErrorResponse xmlns="${NS}">\n  <Error>\n    <Type>Sender</Type>\n    <Code>${code}</Code>\n    <Message>${esc(message)}</Message>\n  </Error>\n  <RequestId>${requestId}</RequestId>\n</ErrorResponse>\n`;
}

const bytes = (d: string | ArrayBuffer | ArrayBufferView): string | Uint8Array =>
  typeof d === "string" ? d : d instanceof ArrayBuffer ? new Uint8Array(d) : new Uint8Array(d.buffer, d.byteOffset, d.byteLength);

class NodeSha256 {
  private readonly h: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.h = secret === undefined ? createHash("sha256") : createHmac("sha256", bytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.h.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest());
  }
}

/** Whether a request carries a valid SigV4 signature by `secret` (IAM's SignatureDoesNotMatch otherwise). */
async function signatureValid(req: FakeRequest, secret: string, accessKeyId: string, sessionToken?: string): Promise<boolean> {
  const auth = String(req.headers.authorization ?? "");
  const m = /Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})/.exec(auth);
  const amzDate = String(req.headers["x-amz-date"] ?? "");
  const d = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!m || !d) return false;
  const [, , , region, service, signed, signature] = m;
  const headers: Record<string, string> = {};
  for (const h of signed!.split(";")) headers[h] = String(req.headers[h] ?? "");
  const host = headers.host ?? "";
  const [hostname, port] = host.split(":");
  const signer = new SignatureV4({
    credentials: { accessKeyId, secretAccessKey: secret, ...(sessionToken ? { sessionToken } : {}) },
    region: region!,
    service: service!,
    sha256: NodeSha256,
  });
  const signingDate = new Date(Date.UTC(+d[1]!, +d[2]! - 1, +d[3]!, +d[4]!, +d[5]!, +d[6]!));
  const again = await signer.sign(
    { method: req.method, protocol: "http:", hostname: hostname!, port: port ? Number(port) : undefined, path: req.path, query: {}, headers, body: req.body },
    { signingDate },
  );
  return String(again.headers.authorization ?? "").endsWith(`Signature=${signature}`);
}

export interface FakeIam extends FakeVendor {
  /** The account it answers for (mutable between runs). */
  account: IamAccount;
  /** The next `n` calls are throttled: `429` with Retry-After (politeFetch retries those), or `aws` = IAM's 400 Throttling. */
  throttle(n: number, how?: "429" | "aws", retryAfter?: string): void;
  /** Temporary credentials expire: every call answers 403 ExpiredToken. */
  expire(): void;
  /** Answers every call with this body and status (a malformed answer, a verbatim documented example). */
  answerWith(status: number, body: string | null): void;
  /** The parameters of every GetAccountAuthorizationDetails call, in order. */
  calls: URLSearchParams[];
}

export async function startFakeIam(opts: { account?: IamAccount; keys?: { accessKeyId: string; secretAccessKey: string }[] } = {}): Promise<FakeIam> {
  const keys = new Map((opts.keys ?? [TEST_KEYS]).map((k) => [k.accessKeyId, k.secretAccessKey]));
  let throttled = 0;
  let throttleHow: "429" | "aws" = "429";
  let retryAfter = "1";
  let expired = false;
  let fixed: { status: number; body: string } | null = null;
  let requestCount = 0;
  const calls: URLSearchParams[] = [];
  const state = { account: opts.account ?? loadAccount() };

  const xml = (status: number, body: string, headers: Record<string, string> = {}): FakeAnswer => ({
    status,
    text: body,
    headers: { "content-type": "text/xml", "x-amzn-requestid": `fake-${requestCount}`, ...headers },
  });

  const route = async (req: FakeRequest): Promise<FakeAnswer> => {
    requestCount++;
    const rid = `fake-${requestCount}`;
    if (req.method !== "POST" || req.path !== "/") return xml(404, errorXml("InvalidAction", "Could not find operation", rid));
    const params = new URLSearchParams(req.body);
    if (params.get("Action") !== "GetAccountAuthorizationDetails" || params.get("Version") !== "2010-05-08")
      return xml(400, errorXml("InvalidAction", "Could not find operation", rid));
    calls.push(params);
    if (throttled > 0) {
      throttled--;
      return throttleHow === "429"
        ? xml(429, errorXml("Throttling", "Rate exceeded", rid), { "retry-after": retryAfter })
        : xml(400, errorXml("Throttling", "Rate exceeded", rid));
    }
    const accessKeyId = /Credential=([^/]+)\//.exec(String(req.headers.authorization ?? ""))?.[1] ?? "";
    const secret = keys.get(accessKeyId);
    if (!secret) return xml(403, errorXml("InvalidClientTokenId", "The security token included in the request is invalid.", rid));
    const token = req.headers["x-amz-security-token"];
    if (!(await signatureValid(req, secret, accessKeyId, typeof token === "string" ? token : undefined)))
      return xml(403, errorXml("SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.", rid));
    if (expired) return xml(403, errorXml("ExpiredToken", "The security token included in the request is expired", rid));
    if (fixed) return xml(fixed.status, fixed.body);

    const filter = new Set([...params.entries()].filter(([k]) => /^Filter\.member\.\d+$/.test(k)).map(([, v]) => v));
    const want = (t: string) => filter.size === 0 || filter.has(t);
    const a = state.account;
    const entities: [string, Record<string, unknown>][] = [
      ...(want("User") ? a.UserDetailList.map((u) => ["UserDetailList", u] as [string, Record<string, unknown>]) : []),
      ...(want("Group") ? a.GroupDetailList.map((g) => ["GroupDetailList", g] as [string, Record<string, unknown>]) : []),
      ...(want("Role") ? a.RoleDetailList.map((r) => ["RoleDetailList", r] as [string, Record<string, unknown>]) : []),
      ...a.Policies.filter((p) => (String(p.Arn).includes(":iam::aws:policy/") ? want("AWSManagedPolicy") : want("LocalManagedPolicy"))).map(
        (p) => ["Policies", p] as [string, Record<string, unknown>],
      ),
    ];
    const max = params.has("MaxItems") ? Number(params.get("MaxItems")) : 100;
    if (!Number.isInteger(max) || max < 1 || max > 1000) return xml(400, errorXml("ValidationError", "MaxItems must be between 1 and 1000", rid));
    let start = 0;
    const marker = params.get("Marker");
    if (marker !== null) {
      const m = /^offset:(\d+)$/.exec(Buffer.from(marker, "base64url").toString("utf8"));
      if (!m) return xml(400, errorXml("ValidationError", "Invalid Marker", rid));
      start = Number(m[1]);
    }
    const page = entities.slice(start, start + max);
    const truncated = start + max < entities.length;
    const lists: Record<string, Record<string, unknown>[]> = { UserDetailList: [], GroupDetailList: [], RoleDetailList: [], Policies: [] };
    for (const [k, v] of page) lists[k]!.push(v);
    const result =
      `    <IsTruncated>${truncated}</IsTruncated>\n` +
      (truncated ? `    <Marker>${Buffer.from(`offset:${start + max}`).toString("base64url")}</Marker>\n` : "") +
      Object.entries(lists)
        .map(([k, v]) => toXml(k, v, "    "))
        .join("");
    return xml(
      200,
      `<GetAccountAuthorizationDetailsResponse xmlns="${NS}">\n  <GetAccountAuthorizationDetailsResult>\n${result}  </GetAccountAuthorizationDetailsResult>\n  <ResponseMetadata>\n    <RequestId>${rid}</RequestId>\n  </ResponseMetadata>\n</GetAccountAuthorizationDetailsResponse>\n`,
    );
  };

  const vendor = await startFakeVendor(route);
  const fake = vendor as FakeIam;
  Object.defineProperty(fake, "account", { get: () => state.account, set: (v: IamAccount) => (state.account = v), enumerable: true });
  fake.calls = calls;
  fake.throttle = (n, how = "429", after = "1") => {
    throttled = n;
    throttleHow = how;
    retryAfter = after;
  };
  fake.expire = () => {
    expired = true;
  };
  fake.answerWith = (status, body) => {
    fixed = body === null ? null : { status, body };
  };
  return fake;
}
