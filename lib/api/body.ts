import { AppError } from "@/lib/errors";
import { jsonErrorMessage } from "./json-error";
import { API_JSON_LIMITS, assertJsonShape, type JsonLimits } from "./json-limits";

export const DEFAULT_JSON_LIMIT = 1024 * 1024;

/**
 * Reads a JSON request body: 415 unless it is declared JSON in UTF-8, 413 as
 * soon as it passes `maxBytes` (before it is read whole), 400 naming where it
 * stops being UTF-8 JSON or breaks the shape limits (depth, keys, `__proto__`).
 */
export async function readJsonBody(req: Request, maxBytes = DEFAULT_JSON_LIMIT, limits: JsonLimits = API_JSON_LIMITS): Promise<unknown> {
  const type = req.headers.get("content-type") ?? "";
  if (!/^application\/(.+\+)?json\s*(;|$)/i.test(type)) {
    throw new AppError("unsupported_media_type", "send the body as application/json", [{ path: "content-type", message: type ? `got ${type}` : "missing" }]);
  }
  checkCharset(type);
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw tooLarge(maxBytes);
  if (!req.body) throw new AppError("bad_request", "the request has no body", [{ path: "body", message: "missing" }]);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  const text = decodeUtf8(Buffer.concat(chunks));
  if (!text.trim()) throw new AppError("bad_request", "the request body is empty", [{ path: "body", message: "empty" }]);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const message = jsonErrorMessage(text, e);
    throw new AppError("bad_request", `the body is ${message}`, [{ path: "body", message }]);
  }
  assertJsonShape(value, limits);
  return value;
}

/** 415 when the content type names a charset other than UTF-8 (JSON is UTF-8, RFC 8259 §8.1). */
export function checkCharset(type: string): void {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(type)?.[1]?.toLowerCase();
  if (charset && charset !== "utf-8" && charset !== "utf8" && charset !== "us-ascii") {
    throw new AppError("unsupported_media_type", "send the body in UTF-8", [{ path: "content-type", message: `charset ${charset} is not accepted` }]);
  }
}

/** Bytes as UTF-8 text (a leading BOM dropped); 400 when they are not UTF-8, rather than guessing. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new AppError("bad_request", "the body is not valid UTF-8", [{ path: "body", message: "not UTF-8" }]);
  }
}

function tooLarge(max: number) {
  return new AppError("payload_too_large", `the body is larger than ${Math.round(max / 1024)} KiB`, [{ path: "body", message: "too large" }]);
}
