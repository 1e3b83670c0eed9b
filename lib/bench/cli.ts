/** The benchmark and generator CLIs' flag reading lives in lib/format (the import CLI in lib/ingest shares it). */
export { readFlags, wholeNumber } from "@/lib/format/cli-flags";
