import { readJsonBody } from "@/lib/api/body";
import { AppError } from "@/lib/errors";

/** Largest OTLP body taken (after gzip is undone); a collector's batch exporter sends far less by default. */
export const OTLP_MAX_BYTES = 4 * 1024 * 1024;

/**
 * The body of an OTLP/HTTP request as JSON. OTLP/HTTP allows binary protobuf (`application/x-protobuf`) or JSON
 * (`application/json`); Attest takes JSON only and says so with 415. `Content-Encoding: gzip` is undone (the size
 * limit applies to the inflated body); other encodings are refused with 415.
 */
export async function readOtlpJson(req: Request): Promise<unknown> {
  const type = (req.headers.get("content-type") ?? "").toLowerCase();
  if (/^application\/(x-)?protobuf\b/.test(type))
    throw new AppError("unsupported_media_type", "OTLP/HTTP protobuf is not accepted here: send OTLP/HTTP JSON (Content-Type: application/json)", [
      { path: "content-type", message: "protobuf is not accepted; use application/json" },
    ]);
  const encoding = (req.headers.get("content-encoding") ?? "identity").trim().toLowerCase();
  if (encoding === "identity") return readJsonBody(req, OTLP_MAX_BYTES);
  if (encoding !== "gzip")
    throw new AppError("unsupported_media_type", "send the body uncompressed or gzip-compressed", [
      { path: "content-encoding", message: "only gzip is accepted" },
    ]);
  if (!req.body) throw new AppError("bad_request", "the request has no body", [{ path: "body", message: "missing" }]);
  const headers = new Headers(req.headers);
  headers.delete("content-encoding");
  headers.delete("content-length");
  const inflated = new Request(req.url, {
    method: req.method,
    headers,
    body: req.body.pipeThrough(new DecompressionStream("gzip")),
    duplex: "half",
  } as RequestInit);
  try {
    return await readJsonBody(inflated, OTLP_MAX_BYTES);
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw new AppError("bad_request", "the body is not valid gzip", [{ path: "body", message: "not gzip" }]);
  }
}
