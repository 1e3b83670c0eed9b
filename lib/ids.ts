import { randomBytes } from "node:crypto";

const CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz";

/**
 * A time-sortable id body (ULID layout: 48-bit millisecond time, 80 random bits,
 * Crockford base32, lower case), so ids sort by creation in lists and logs.
 */
export function ulid(now: number = Date.now()): string {
  let time = "";
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const bytes = randomBytes(16);
  let rand = "";
  for (let i = 0; i < 16; i++) rand += CROCKFORD[bytes[i]! % 32];
  return time + rand;
}

/** An id with a kind prefix: `hum_01j…`, `evt_01j…`. */
export function newId(prefix: string): string {
  return `${prefix}_${ulid()}`;
}
