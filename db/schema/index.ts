export * from "./graph";
export * from "./identity";
export * from "./audit";
export * from "./ingest";
export * from "./ownership";
export * from "./campaigns";
export * from "./findings";
export * from "./settings";
