/**
 * The browser's one door to the API. Components never call `fetch` themselves
 * (a lint rule holds them to it): they call `apiFetch` directly or through React
 * Query (`useQuery` for reads, `useMutation` + invalidation for writes), and get
 * back the typed body or an `ApiError` carrying the server's located message.
 */

export interface ApiErrorDetail {
  path?: string;
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: ApiErrorDetail[];
  readonly requestId: string | undefined;
  constructor(status: number, code: string, message: string, details: ApiErrorDetail[] = [], requestId?: string) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details;
    this.requestId = requestId;
  }
}

export interface ApiFetchOptions {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Serialised as JSON unless it is FormData, a Blob or a string. */
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

const STATUS_WORDS: Record<number, string> = {
  401: "You are signed out; sign in again.",
  403: "You do not have permission for this.",
  404: "It no longer exists.",
  409: "Someone changed it meanwhile; reload and try again.",
  413: "It is too large.",
  429: "Too many requests; wait a moment and try again.",
};

/** The words to show for an error thrown by `apiFetch` (or anything else). */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) {
    const first = err.details[0];
    return first && first.path && !err.message.includes(first.path) ? `${err.message} (${first.path}: ${first.message})` : err.message;
  }
  if (err instanceof Error && err.name === "AbortError") return "Cancelled.";
  return "The server could not be reached; check your connection and try again.";
}

async function readError(r: Response): Promise<ApiError> {
  const body = (await r.json().catch(() => null)) as { error?: { code?: string; message?: string; details?: ApiErrorDetail[]; requestId?: string } } | null;
  const e = body?.error;
  const message = e?.message ?? STATUS_WORDS[r.status] ?? `The server answered ${r.status}.`;
  return new ApiError(r.status, e?.code ?? String(r.status), message, Array.isArray(e?.details) ? e.details : [], e?.requestId);
}

/** Calls the API and returns the parsed JSON body (undefined for 204). Throws `ApiError` on a non-2xx answer. */
export async function apiFetch<T = unknown>(path: string, opts: ApiFetchOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json", ...opts.headers };
  let body: BodyInit | undefined;
  if (opts.body !== undefined) {
    if (typeof opts.body === "string" || opts.body instanceof Blob || opts.body instanceof FormData) body = opts.body;
    else {
      body = JSON.stringify(opts.body);
      headers["content-type"] ??= "application/json";
    }
  }
  const r = await fetch(path, { method: opts.method ?? (body === undefined ? "GET" : "POST"), headers, body, signal: opts.signal, credentials: "same-origin" });
  if (!r.ok) throw await readError(r);
  if (r.status === 204) return undefined as T;
  const text = await r.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Builds a query string from defined, non-empty values. */
export function qs(params: Record<string, string | number | boolean | null | undefined>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : "";
}
