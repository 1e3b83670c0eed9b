import { IMPORT_JSON_LIMITS, jsonShapeProblem } from "@/lib/api/json-limits";
import { jsonErrorMessage } from "@/lib/api/json-error";
import { isRecord } from "@/lib/ingest/convert-util";
import { AnswerBundle, isZip, readBundle, type BundleResult } from "../bundle";
import { CALL } from "./collect";

const PAGE_KEYS = ["UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"];

/** Whether a JSON value is one answer of GetAccountAuthorizationDetails, as the CLI prints it. */
export function isCliPage(v: unknown): boolean {
  return isRecord(v) && PAGE_KEYS.some((k) => Object.hasOwn(v, k));
}

/**
 * The offline format `aws-iam`:
 * - the JSON `aws iam get-account-authorization-details` prints (one object; the CLI joins the pages), or a JSON list of such pages;
 * - the bundle layout: `{"format": "aws-iam", "calls": {"GetAccountAuthorizationDetails": [page, ...]}}`;
 * - a zip of `GetAccountAuthorizationDetails.json`, `GetAccountAuthorizationDetails~2.json`, …; a zip whose entries
 *   are otherwise named but each hold a CLI answer is read as the pages of that call, in entry-name order.
 */
export function readIamOffline(bytes: Uint8Array, maxBytes: number): BundleResult {
  if (isZip(bytes)) {
    const read = readBundle(bytes, { format: "aws-iam", maxBytes });
    if (!read.ok || read.bundle.has(CALL)) return read;
    const keys = read.bundle.keys().sort();
    const pages = keys.flatMap((k) => read.bundle.pages(k) ?? []);
    if (pages.length === 0 || !pages.every(isCliPage))
      return {
        ok: false,
        errors: [{ path: "file", message: `the zip holds no ${CALL}.json entry, and its entries are not CLI answers of get-account-authorization-details` }],
      };
    const bundle = new AnswerBundle();
    for (const p of pages) bundle.add(CALL, p);
    return { ok: true, bundle };
  }
  const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, errors: [{ path: "body", message: jsonErrorMessage(text, e) }] };
  }
  const problem = jsonShapeProblem(value, IMPORT_JSON_LIMITS);
  if (problem) return { ok: false, errors: [problem] };
  if (isRecord(value) && Object.hasOwn(value, "calls")) return readBundle(bytes, { format: "aws-iam", maxBytes });
  const bundle = new AnswerBundle();
  if (isCliPage(value)) {
    bundle.add(CALL, value);
    return { ok: true, bundle };
  }
  if (Array.isArray(value) && value.length > 0 && value.every(isCliPage)) {
    for (const p of value) bundle.add(CALL, p);
    return { ok: true, bundle };
  }
  return {
    ok: false,
    errors: [
      {
        path: "(root)",
        message:
          'must be the JSON printed by "aws iam get-account-authorization-details" (an object with UserDetailList, GroupDetailList, RoleDetailList, Policies), a list of such pages, or {"format": "aws-iam", "calls": {"GetAccountAuthorizationDetails": [pages]}}',
      },
    ],
  };
}
