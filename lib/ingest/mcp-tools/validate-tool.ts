import type { ErrorDetail } from "@/lib/errors";

/** Bounds on one tool definition. Generous for real servers (long descriptions are common), small enough to refuse a flood. */
export const TOOL_LIMITS = {
  name: 200,
  title: 1000,
  description: 65_536,
  /** Serialized JSON characters of inputSchema / outputSchema. */
  schema: 262_144,
} as const;

const HINTS = ["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"] as const;
// Control characters, and separators that would make a name look like another.
const BAD_NAME = /[\u0000-\u001f\u007f\u2028\u2029]/;

const plain = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

function schemaProblems(v: unknown, at: string, required: boolean): ErrorDetail[] {
  if (v === undefined && !required) return [];
  if (v === undefined) return [{ path: at, message: 'is required: a JSON Schema object with type "object" (MCP requires it)' }];
  if (!plain(v)) return [{ path: at, message: "must be a JSON Schema object" }];
  const out: ErrorDetail[] = [];
  if (v.type !== "object") out.push({ path: `${at}.type`, message: 'must be "object" (MCP tool schemas describe an object)' });
  if (v.properties !== undefined && (!plain(v.properties) || Object.values(v.properties).some((p) => !plain(p))))
    out.push({ path: `${at}.properties`, message: "must be an object whose values are schema objects" });
  if (v.required !== undefined && (!Array.isArray(v.required) || v.required.some((r) => typeof r !== "string")))
    out.push({ path: `${at}.required`, message: "must be an array of property names" });
  if (JSON.stringify(v).length > TOOL_LIMITS.schema) out.push({ path: at, message: `longer than ${TOOL_LIMITS.schema} characters as JSON` });
  return out;
}

/**
 * The problems with one tool definition, each at its JSON path under `at`.
 * Mirrors what the MCP SDK's client requires of a listed tool (what live
 * discovery accepts), plus size bounds. Messages describe the rule, never the value.
 */
export function validateToolShape(t: unknown, at: string): ErrorDetail[] {
  if (!plain(t)) return [{ path: at, message: "a tool definition must be an object" }];
  const out: ErrorDetail[] = [];
  const p = (k: string) => (at ? `${at}.${k}` : k);
  if (t.name === undefined || t.name === null || t.name === "") out.push({ path: p("name"), message: "is required" });
  else if (typeof t.name !== "string") out.push({ path: p("name"), message: "must be a string" });
  else if (t.name.length > TOOL_LIMITS.name) out.push({ path: p("name"), message: `longer than ${TOOL_LIMITS.name} characters` });
  else if (t.name.trim() !== t.name || BAD_NAME.test(t.name))
    out.push({ path: p("name"), message: "must not start or end with spaces or contain control characters" });
  if (t.title !== undefined && (typeof t.title !== "string" || t.title.length > TOOL_LIMITS.title))
    out.push({ path: p("title"), message: `must be a string of at most ${TOOL_LIMITS.title} characters` });
  if (t.description !== undefined && (typeof t.description !== "string" || t.description.length > TOOL_LIMITS.description))
    out.push({ path: p("description"), message: `must be a string of at most ${TOOL_LIMITS.description} characters` });
  out.push(...schemaProblems(t.inputSchema, p("inputSchema"), true));
  out.push(...schemaProblems(t.outputSchema, p("outputSchema"), false));
  if (t.annotations !== undefined) {
    if (!plain(t.annotations)) out.push({ path: p("annotations"), message: "must be an object" });
    else {
      for (const h of HINTS)
        if (t.annotations[h] !== undefined && typeof t.annotations[h] !== "boolean")
          out.push({ path: `${p("annotations")}.${h}`, message: "must be true or false" });
      if (t.annotations.title !== undefined && (typeof t.annotations.title !== "string" || t.annotations.title.length > TOOL_LIMITS.title))
        out.push({ path: `${p("annotations")}.title`, message: `must be a string of at most ${TOOL_LIMITS.title} characters` });
    }
  }
  return out;
}
