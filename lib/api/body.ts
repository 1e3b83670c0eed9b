import { AppError } from "@/lib/errors";

export const DEFAULT_JSON_LIMIT = 1024 * 1024;

/**
 * Reads a JSON request body: 415 unless it is declared JSON, 413 as soon as it
 * passes `maxBytes` (before it is read whole), 400 naming where it stops being JSON.
 */
export async function readJsonBody(req: Request, maxBytes = DEFAULT_JSON_LIMIT): Promise<unknown> {
  const type = req.headers.get("content-type") ?? "";
  if (!/^application\/(.+\+)?json\s*(;|$)/i.test(type)) {
    throw new AppError("unsupported_media_type", "send the body as application/json", [{ path: "content-type", message: type ? `got ${type}` : "missing" }]);
  }
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
  const text = new TextDecoder("utf-8", { fatal: false }).decode(Buffer.concat(chunks));
  if (!text.trim()) throw new AppError("bad_request", "the request body is empty", [{ path: "body", message: "empty" }]);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new AppError("bad_request", `the body is not valid JSON: ${(e as Error).message}`, [{ path: "body", message: (e as Error).message }]);
  }
}

function tooLarge(max: number) {
  return new AppError("payload_too_large", `the body is larger than ${Math.round(max / 1024)} KiB`, [{ path: "body", message: "too large" }]);
}
