// Moved to lib/api/jsonc.ts (lib/api parses request bodies with it, and sits below ingest); kept so the config readers import it as before.
export * from "@/lib/api/jsonc";
