/**
 * Baton templates carry dates however the spreadsheet author typed them: the
 * documented `MM/DD/YYYY`, ISO dates, ISO timestamps, and (from XLSX exports)
 * Excel serial day numbers. Attest stores ISO 8601 only, so every form is
 * normalised here; anything else returns null and the caller keeps the raw
 * value with a warning rather than guessing (is 03/04 March or April?).
 *
 * Output: `YYYY-MM-DD` for a date, `YYYY-MM-DDTHH:MM:SS.sssZ` for an instant.
 */

const DAY_MS = 86_400_000;
/** Excel's day 0 is 1899-12-30 once its fictitious 1900-02-29 (serial 60) is behind us. */
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);
/** Serial 2958465 is 9999-12-31, the last day Excel can show. */
const EXCEL_MAX_SERIAL = 2_958_465;

function ymd(y: number, m: number, d: number): string | null {
  if (y < 1000 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31) return null;
  const t = new Date(Date.UTC(y, m - 1, d));
  // Date.UTC rolls 02/30 over into March; reject instead of silently moving the date.
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== m - 1 || t.getUTCDate() !== d) return null;
  return t.toISOString().slice(0, 10);
}

export function excelSerialToIso(serial: number): string | null {
  if (!Number.isFinite(serial) || serial < 1 || serial >= EXCEL_MAX_SERIAL + 1 || Math.floor(serial) === 60) return null;
  // Serials 1-59 predate the phantom leap day, so they sit one day later than the shared epoch implies.
  const days = serial < 60 ? serial + 1 : serial;
  const t = new Date(EXCEL_EPOCH_MS + Math.round(days * DAY_MS));
  return Number.isInteger(serial) ? t.toISOString().slice(0, 10) : t.toISOString();
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const SLASH_YMD = /^(\d{4})\/(\d{1,2})\/(\d{1,2})$/;
const SLASH_MDY = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;
const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;
/** A bare five-digit number in a date column is an Excel serial (1927-05-18 .. 2173-10-14). */
const SERIAL_TEXT = /^\d{5}(\.\d+)?$/;

/** An ISO 8601 rendering of `value`, or null when it is not a date we can read without guessing. */
export function normaliseDate(value: unknown): string | null {
  if (typeof value === "number") return excelSerialToIso(value);
  if (typeof value !== "string") return null;
  const s = value.trim();
  let m = ISO_DATE.exec(s) ?? SLASH_YMD.exec(s);
  if (m) return ymd(Number(m[1]), Number(m[2]), Number(m[3]));
  // Baton documents MM/DD/YYYY (US order); a first part over 12 is not read as a day.
  m = SLASH_MDY.exec(s);
  if (m) return ymd(Number(m[3]), Number(m[1]), Number(m[2]));
  m = ISO_INSTANT.exec(s);
  if (m) {
    if (!ymd(Number(m[1]), Number(m[2]), Number(m[3]))) return null;
    if (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59) return null;
    // No zone means UTC: reading it as server-local time would make the import depend on where it runs.
    const zone = m[8] ? m[8].toUpperCase().replace(/^([+-]\d{2})(\d{2})$/, "$1:$2") : "Z";
    const t = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? "00"}${m[7] ?? ""}${zone}`);
    return Number.isNaN(t) ? null : new Date(t).toISOString();
  }
  if (SERIAL_TEXT.test(s)) return excelSerialToIso(Number(s));
  return null;
}
