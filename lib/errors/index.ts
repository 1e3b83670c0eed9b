/** The error codes a client may see, and their HTTP status. */
export const ERROR_STATUS = {
  bad_request: 400,
  validation: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  timeout: 503,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorDetail {
  /** Where the problem is: a JSON path (`nodes[3].kind`), a query parameter, a line number. */
  path: string;
  message: string;
}

/** The only errors whose message reaches a client. Anything else answers a generic 500. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetail[];

  constructor(code: ErrorCode, message: string, details: ErrorDetail[] = []) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export const badRequest = (message: string, details?: ErrorDetail[]) => new AppError("bad_request", message, details);
export const notFound = (what = "resource") => new AppError("not_found", `${what} not found`);
export const forbidden = (message = "you do not have permission to do this") => new AppError("forbidden", message);
export const unauthenticated = () => new AppError("unauthenticated", "sign in or send a valid bearer token");

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

/** Zod issues as error details, paths joined the way a user reads them (`nodes[3].kind`). */
export function zodDetails(
  issues: readonly { path: readonly PropertyKey[]; message: string; code?: string; keys?: readonly string[] }[],
  prefix = "",
): ErrorDetail[] {
  return issues.flatMap((i) =>
    // An unknown key is named as its own path, so the message points at it.
    i.code === "unrecognized_keys" && i.keys?.length
      ? i.keys.map((k) => ({ path: formatPath([...i.path, k], prefix), message: "is not a known field" }))
      : [{ path: formatPath(i.path, prefix), message: i.message }],
  );
}

export function formatPath(segments: readonly PropertyKey[], prefix = ""): string {
  let out = prefix;
  for (const s of segments) {
    if (typeof s === "number") out += `[${s}]`;
    else out += out ? `.${String(s)}` : String(s);
  }
  return out || "(root)";
}

/** Parses untrusted input with a zod schema; failures become a 400 listing every problem and where. */
export function parseInput<T>(
  schema: {
    safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string; code?: string }[] } };
  },
  input: unknown,
  what = "body",
): T {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const details = zodDetails(r.error.issues as Parameters<typeof zodDetails>[0]);
  throw new AppError("validation", `invalid ${what}: ${details.map((d) => `${d.path}: ${d.message}`).join("; ")}`, details);
}
