/**
 * Attest's reference enforcement point for MCP (issue #20): an AuthZEN 1.0 client that fails closed, the COAZ-MCP
 * mapping, and a proxy that filters `tools/list` and checks every `tools/call`. Imports no other part of Attest (only
 * node and npm packages), so it can be lifted into its own package. Usage: docs/ENFORCEMENT.md.
 */
export { createAuthzenClient, localDeny, metadataUrl, parseDecision } from "./authzen-client";
export type { AuthzenClient, AuthzenClientOptions, AuthzenEndpoints, CallOptions } from "./authzen-client";
export { COAZ_SUBJECT_TYPE, declaresMapping, toolCallEvaluation, toolDefinitionHash, toolListEvaluations, toolResource } from "./coaz-mcp";
export type { CallerIdentity, McpToolLike } from "./coaz-mcp";
export { denyResult, denyText, META_KEY, readDeny } from "./deny-result";
export type { ApprovalInfo, DenyInfo } from "./deny-result";
export { enforceMcp } from "./enforce-mcp";
export type { DecisionEvent, EnforceMcpOptions } from "./enforce-mcp";
export { staticSubject, subjectFromAuthInfo } from "./subject";
export type { SubjectResolver } from "./subject";
export type * from "./types";
export { createGatewayAdapter } from "./gateway-adapter";
export type { GatewayAdapterOptions } from "./gateway-adapter";
