"use client";

import { useSyncExternalStore } from "react";
import { formatDate, formatDateTime, relativeTime } from "@/lib/format/dates";
import styles from "./ui.module.css";

/**
 * A moment in the reader's locale and time zone, with "3 days ago" beside it.
 * The server renders it in UTC (it does not know the reader's zone); the browser
 * re-renders it in its own after hydration. The exact instant is in the tooltip.
 */
const noSubscribe = () => () => {};

export function LocalTime({ value, relative = true, dateOnly = false }: { value: string | null | undefined; relative?: boolean; dateOnly?: boolean }) {
  const client = useSyncExternalStore(
    noSubscribe,
    () => true,
    () => false,
  );
  if (!value) return <span>—</span>;
  const text = dateOnly
    ? client
      ? formatDate(value)
      : formatDate(value, "en-GB", "UTC")
    : client
      ? formatDateTime(value)
      : `${formatDateTime(value, "en-GB", "UTC")} UTC`;
  return (
    <time dateTime={value} title={value} className={styles.time}>
      {text}
      {relative && client ? <span className={styles.timeRel}>({relativeTime(value)})</span> : null}
    </time>
  );
}
