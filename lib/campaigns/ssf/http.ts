import type { Db } from "@/db/client";
import { clientAddress, rateCount, rateLimit } from "@/lib/authz/rate-limit";
import { newId } from "@/lib/ids";
import { enqueueTriggerRun } from "../triggers/jobs";
import { auditRefusal, receiveSet } from "./receive";

/** A SET is a few hundred bytes to a few KiB; anything past this is not one. */
export const SET_MAX_BYTES = 64 * 1024;
/** Refusals per client address per minute before answers turn 429 (and stop being audited, so the audit cannot be flooded). */
export const SET_REFUSALS_PER_MINUTE = 100;

const json = (status: number, body: object, requestId: string, extra: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store", "x-request-id": requestId, ...extra },
  });

async function readText(req: Request, max: number): Promise<string | "too_large" | "not_utf8"> {
  if (Number(req.headers.get("content-length") ?? "0") > max) return "too_large";
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      return "too_large";
    }
    chunks.push(value);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    return "not_utf8";
  }
}

/**
 * POST /api/v1/ssf/events (RFC 8935 push). Authenticated by the SET's
 * signature, not by a session or token: 202 with no body on acceptance; 400
 * with `{ err, description }` (RFC 8935 §2.4) on refusal; 413 for a body past
 * 64 KiB; 503 when the transmitter's keys cannot be fetched (retry later).
 */
export async function handleSetPush(req: Request, db: Db): Promise<Response> {
  const requestId = req.headers.get("x-request-id")?.slice(0, 64) || newId("req");
  const limitKey = `ssf-refused:${clientAddress(req.headers)}`;
  if (rateCount(limitKey) >= SET_REFUSALS_PER_MINUTE)
    return json(429, { err: "access_denied", description: "too many refused SETs from this address; wait a minute" }, requestId, { "retry-after": "60" });
  const refuse = async (status: number, description: string) => {
    rateLimit(limitKey, SET_REFUSALS_PER_MINUTE, 60_000);
    await auditRefusal(db, { err: "invalid_request", description }, null, requestId);
    return json(status, { err: "invalid_request", description }, requestId);
  };
  const type = (req.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/secevent+jwt") return refuse(400, "send the SET as application/secevent+jwt (RFC 8935)");
  const body = await readText(req, SET_MAX_BYTES);
  if (body === "too_large") return refuse(413, `the body is larger than ${SET_MAX_BYTES / 1024} KiB`);
  if (body === "not_utf8") return refuse(400, "the body is not UTF-8");
  const r = await receiveSet(db, body.trim(), { requestId });
  if (r.status === 202) {
    // The rules fire in the trigger job (never inside this request); the schedule picks it up within a minute anyway.
    await enqueueTriggerRun().catch((e: Error) => console.error(`[ssf] request ${requestId}: enqueue of the trigger run failed: ${e.message}`));
    return new Response(null, { status: 202, headers: { "x-request-id": requestId } });
  }
  rateLimit(limitKey, SET_REFUSALS_PER_MINUTE, 60_000);
  if (r.status === 503) return json(503, { description: r.description }, requestId, { "retry-after": "60" });
  return json(400, { err: r.err, description: r.description }, requestId);
}
