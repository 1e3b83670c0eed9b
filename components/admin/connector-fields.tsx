"use client";

import type { FieldSpec } from "@/lib/connectors/types";
import styles from "./connectors.module.css";

type FieldType = "boolean" | "list" | "text";

/** A field's input kind, from the value its kind's defaults (or the connector's settings) hold: true/false, a list, or text. */
export function fieldType(f: FieldSpec, sample: Record<string, unknown> | undefined): FieldType {
  const v = sample?.[f.name];
  if (typeof v === "boolean") return "boolean";
  if (Array.isArray(v)) return "list";
  return "text";
}

/**
 * The inputs of a connector kind's fields (GET /api/v1/connectors/kinds).
 * Settings are shown back; secret fields are write-only: empty on every render,
 * never filled from the server, and kept out of the browser's autofill.
 */
export function ConnectorFields({
  fields,
  idPrefix,
  values,
  secret = false,
}: {
  fields: FieldSpec[];
  idPrefix: string;
  /** Settings to show (defaults for a new connector); also what says a field is a checkbox or a list. */
  values?: Record<string, unknown>;
  secret?: boolean;
}) {
  return (
    <>
      {fields.map((f) => {
        const id = `${idPrefix}-${f.name}`;
        const helpId = f.help ? `${id}-help` : undefined;
        const type = secret || f.secret ? "text" : fieldType(f, values);
        const v = secret || f.secret ? undefined : values?.[f.name];
        const help = f.help ? (
          <p className={styles.help} id={helpId}>
            {f.help}
            {type === "list" ? " One per line." : ""}
          </p>
        ) : type === "list" ? (
          <p className={styles.help} id={`${id}-help`}>
            One per line.
          </p>
        ) : null;
        if (type === "boolean")
          return (
            <div className={styles.field} key={f.name}>
              <label className={styles.check} htmlFor={id} style={{ marginBottom: 0 }}>
                <input id={id} name={f.name} type="checkbox" defaultChecked={v === true} aria-describedby={helpId} /> {f.label}
              </label>
              {help}
            </div>
          );
        const common = {
          id,
          name: f.name,
          required: f.required,
          placeholder: f.placeholder,
          "aria-describedby": type === "list" ? `${id}-help` : helpId,
          autoComplete: secret || f.secret ? "off" : undefined,
          spellCheck: false,
        };
        const shown = type === "list" && Array.isArray(v) ? v.map(String).join("\n") : typeof v === "string" || typeof v === "number" ? String(v) : "";
        return (
          <div className={styles.field} key={f.name}>
            <label htmlFor={id}>
              {f.label}
              {f.required ? "" : " (optional)"}
            </label>
            {f.multiline || type === "list" ? (
              <textarea {...common} rows={secret ? 4 : 3} defaultValue={shown} className="mono" />
            ) : (
              <input {...common} type={secret || f.secret ? "password" : "text"} defaultValue={shown} />
            )}
            {help}
          </div>
        );
      })}
    </>
  );
}

/**
 * The values of some fields as the API takes them: checkboxes as true/false, lists as arrays of their
 * non-empty lines, text trimmed (secrets as typed); empty text is left out, so "not given" stays distinct from "".
 */
export function readFields(form: FormData, fields: FieldSpec[], sample?: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const type = f.secret ? "text" : fieldType(f, sample);
    const v = form.get(f.name);
    if (type === "boolean") out[f.name] = v === "on";
    else if (type === "list")
      out[f.name] = String(v ?? "")
        .split(/\r?\n/)
        .map((s) => s.trim())
        .filter(Boolean);
    else if (typeof v === "string" && v.trim() !== "") out[f.name] = f.secret || f.multiline ? v : v.trim();
  }
  return out;
}
