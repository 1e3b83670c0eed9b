import { AppError } from "@/lib/errors";

/** Opaque pagination cursors: base64url JSON, checked on the way back in. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

export function decodeCursor<T>(cursor: string, check: (v: unknown) => v is T): T {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (check(v)) return v;
  } catch {
    // fall through to the same answer as a well-formed but wrong cursor
  }
  throw new AppError("validation", "cursor is not one this API issued", [{ path: "cursor", message: "invalid cursor" }]);
}
