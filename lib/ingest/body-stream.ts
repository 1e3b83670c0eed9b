import { decodeUtf8 } from "@/lib/api/body";
import { AppError } from "@/lib/errors";

/** ATTEST_MAX_IMPORT_MB, default 50. */
export function maxImportBytes(): number {
  const mb = Number(process.env.ATTEST_MAX_IMPORT_MB ?? 50);
  return Math.max(1, Number.isFinite(mb) ? mb : 50) * 1024 * 1024;
}

export function tooLarge(max: number): AppError {
  return new AppError("payload_too_large", `the upload is larger than the ${Math.round(max / 1024 / 1024)} MB limit (ATTEST_MAX_IMPORT_MB)`, [
    { path: "body", message: "too large" },
  ]);
}

/** 413 from the declared length, before anything is read. */
export function checkDeclaredLength(req: Request, max: number): void {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > max) throw tooLarge(max);
}

/** The request body as byte chunks, failing with 413 the moment it passes `max`. */
export async function* limitedChunks(req: Request, max: number): AsyncGenerator<Uint8Array> {
  if (!req.body) throw new AppError("bad_request", "the request has no body", [{ path: "body", message: "missing" }]);
  const reader = req.body.getReader();
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      size += value.byteLength;
      if (size > max) throw tooLarge(max);
      yield value;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/** Lines of a UTF-8 stream, numbered from 1, without holding more than one line at a time. */
export async function* lines(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): AsyncGenerator<{ line: number; text: string }> {
  const decoder = new TextDecoder("utf-8");
  let buffer = "";
  let line = 0;
  for await (const chunk of chunks) {
    buffer += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      line++;
      yield { line, text: buffer.slice(0, nl).replace(/\r$/, "") };
      buffer = buffer.slice(nl + 1);
    }
  }
  buffer += decoder.decode();
  if (buffer.length > 0) yield { line: line + 1, text: buffer.replace(/\r$/, "") };
}

/** Reads the whole (already size-limited) body as UTF-8 text; 400 when it is not UTF-8. */
/** The whole body as bytes (a zip), already bounded by limitedChunks. */
export async function readBytes(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Buffer[] = [];
  for await (const c of chunks) parts.push(Buffer.from(c));
  return new Uint8Array(Buffer.concat(parts));
}

export async function readText(chunks: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of chunks) parts.push(Buffer.from(c));
  return decodeUtf8(Buffer.concat(parts));
}
