import { AppError } from "@/lib/errors";

type Window = { count: number; resetAt: number };
const g = globalThis as typeof globalThis & { __attestRateLimits?: Map<string, Window> };
const windows: Map<string, Window> = (g.__attestRateLimits ??= new Map());

/**
 * A fixed-window counter per key, in this process's memory. Several app
 * instances each count on their own, so the effective limit is per instance;
 * that still stops a single client guessing passwords or hammering queries.
 * Returns whether the call is allowed.
 */
export function rateLimit(key: string, limit: number, windowMs: number, now = Date.now()): boolean {
  const w = windows.get(key);
  if (!w || w.resetAt <= now) {
    windows.set(key, { count: 1, resetAt: now + windowMs });
    if (windows.size > 50_000) for (const [k, v] of windows) if (v.resetAt <= now) windows.delete(k);
    return true;
  }
  w.count++;
  return w.count <= limit;
}

/** How many calls the key has made in its current window (without counting one). */
export function rateCount(key: string, now = Date.now()): number {
  const w = windows.get(key);
  return w && w.resetAt > now ? w.count : 0;
}

/** Throws 429 when the key is over its limit. */
export function enforceRateLimit(key: string, limit: number, windowMs: number, what: string): void {
  if (!rateLimit(key, limit, windowMs)) throw new AppError("rate_limited", `too many ${what}; wait a minute and try again`);
}

/** The client's address as the proxy in front reports it, for rate-limit keys only (never for authorization). */
export function clientAddress(headers: Headers): string {
  return headers.get("x-forwarded-for")?.split(",")[0]?.trim() || headers.get("x-real-ip") || "local";
}
