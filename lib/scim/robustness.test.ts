import { expect, it } from "vitest";
import { ScimError } from "./errors";
import { parseFilter, parsePath } from "./filter";
import { matchesFilter } from "./filter-match";
import { applyPatch, parsePatchRequest } from "./patch";
import { isObj, normalizeResource } from "./resource-shape";
import { GROUP_RESOURCE, USER_RESOURCE } from "./schema";

/** Seeded (mulberry32), so a failure replays. */
let seed = 20240601;
function rnd(n: number): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
  return Math.floor((((x ^ (x >>> 14)) >>> 0) / 4294967296) * n);
}
const pick = <T>(list: readonly T[]): T => list[rnd(list.length)]!;

const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const ATOMS = [null, true, false, 0, -1.5, "", "x", "True", "work", [], {}, "emails", "members", ENTERPRISE];
const KEYS = [
  "userName",
  "emails",
  "name",
  "active",
  "members",
  "value",
  "type",
  "primary",
  "givenName",
  "manager",
  ENTERPRISE,
  "displayName",
  "id",
  "meta",
  "schemas",
  "groups",
  "password",
  "addresses",
  "$ref",
];
const TOKENS = [
  "userName",
  "emails",
  "[",
  "]",
  "(",
  ")",
  "not",
  "and",
  "or",
  "eq",
  "pr",
  "co",
  "gt",
  '"x"',
  "1",
  "true",
  "null",
  ".value",
  "type",
  " ",
  'emails[type eq "work"]',
  `${ENTERPRISE}:manager`,
  ".",
  '"',
  "members.value",
  "meta.lastModified",
  '"2020-01-01"',
];

function value(depth = 0): unknown {
  const r = rnd(4);
  if (depth > 3 || r === 0) return pick(ATOMS);
  if (r === 1) return Array.from({ length: rnd(3) }, () => value(depth + 1));
  const o: Record<string, unknown> = {};
  for (let i = 0; i < rnd(4); i++) o[pick(KEYS)] = value(depth + 1);
  return o;
}

const text = () => Array.from({ length: rnd(10) }, () => pick(TOKENS)).join(rnd(2) ? " " : "");

function onlyScimErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof ScimError)) throw e;
  }
}

/**
 * Random filters, paths, resources and PatchOp messages built from SCIM-shaped
 * pieces. Whatever a client sends, the only thing that may escape is a ScimError
 * (a 4xx with a detail), never a TypeError that would answer 500.
 */
it("random client input only ever fails with a ScimError", () => {
  const user = { id: "u1", userName: "u", emails: [{ type: "work", value: "a@b" }], name: { givenName: "g" } };
  const group = { id: "g1", displayName: "d", members: [{ value: "a" }] };
  for (let i = 0; i < 4000; i++) {
    const src = text();
    onlyScimErrors(() => parsePath(src));
    onlyScimErrors(() => {
      const filter = parseFilter(src);
      matchesFilter(user, filter);
      const other = value();
      if (isObj(other)) matchesFilter(other, filter);
    });
    onlyScimErrors(() => normalizeResource(value(), rnd(2) ? USER_RESOURCE : GROUP_RESOURCE));
    const message = {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: Array.from({ length: 1 + rnd(3) }, () => ({
        op: pick(["add", "remove", "replace", "Add"]),
        ...(rnd(3) ? { path: text() || "emails" } : {}),
        value: value(),
      })),
    };
    onlyScimErrors(() => normalizeResource(applyPatch(user, parsePatchRequest(message), USER_RESOURCE), USER_RESOURCE));
    onlyScimErrors(() => normalizeResource(applyPatch(group, parsePatchRequest(message), GROUP_RESOURCE), GROUP_RESOURCE));
    // The lenient paths (a source not in ATTEST_SCIM_STRICT) skip instead of throwing: they must be as safe.
    const lx = { strict: false, ignored: [] as string[] };
    onlyScimErrors(() => normalizeResource(value(), rnd(2) ? USER_RESOURCE : GROUP_RESOURCE, lx));
    onlyScimErrors(() => normalizeResource(applyPatch(user, parsePatchRequest({ ...message, id: "x" }, lx), USER_RESOURCE, lx), USER_RESOURCE, lx));
    onlyScimErrors(() => normalizeResource(applyPatch(group, parsePatchRequest(message, lx), GROUP_RESOURCE, lx), GROUP_RESOURCE, lx));
  }
  expect(seed).not.toBe(20240601);
});
