export * from "./graph";
export * from "./identity";
export * from "./audit";
export * from "./ingest";
