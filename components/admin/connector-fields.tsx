"use client";

import type { FieldSpec } from "@/lib/connectors/types";
import styles from "./connectors.module.css";

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
  values?: Record<string, unknown>;
  secret?: boolean;
}) {
  return (
    <>
      {fields.map((f) => {
        const id = `${idPrefix}-${f.name}`;
        const helpId = f.help ? `${id}-help` : undefined;
        const shown = values && !secret && (typeof values[f.name] === "string" || typeof values[f.name] === "number") ? String(values[f.name]) : "";
        const common = {
          id,
          name: f.name,
          required: f.required,
          placeholder: f.placeholder,
          "aria-describedby": helpId,
          autoComplete: secret || f.secret ? "off" : undefined,
          spellCheck: false,
        };
        return (
          <div className={styles.field} key={f.name}>
            <label htmlFor={id}>
              {f.label}
              {f.required ? "" : " (optional)"}
            </label>
            {f.multiline ? (
              <textarea {...common} rows={secret ? 4 : 3} defaultValue={shown} className="mono" />
            ) : (
              <input {...common} type={secret || f.secret ? "password" : "text"} defaultValue={shown} />
            )}
            {f.help ? (
              <p className={styles.help} id={helpId}>
                {f.help}
              </p>
            ) : null}
          </div>
        );
      })}
    </>
  );
}

/** The values typed into some fields, empty ones left out (so "not given" stays distinct from ""). */
export function readFields(form: FormData, fields: FieldSpec[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fields) {
    const v = form.get(f.name);
    if (typeof v === "string" && v.trim() !== "") out[f.name] = f.secret || f.multiline ? v : v.trim();
  }
  return out;
}
