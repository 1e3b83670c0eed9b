import { z } from "zod";
import { EDGE_KINDS, NODE_KINDS } from "@/lib/graph/model";

/**
 * The Attest graph document (PRODUCT.md): what every importer produces and the
 * import engine applies. Converters for other formats (MCP configs, BloodHound
 * OpenGraph, Baton, live MCP discovery) return this shape; they never write.
 */
// Vocabulary (lib/graph/model.ts), so admin can check names without depending on ingest.
import { SOURCE_NAME_RE } from "@/lib/graph/model";
export { SOURCE_NAME_RE };

const attributes = z.record(z.string(), z.unknown());
const externalId = z.string().trim().min(1, "externalId is required").max(512, "externalId is longer than 512 characters");

export const nodeRefSchema = z
  .object({
    kind: z.enum(NODE_KINDS, { error: `kind must be one of ${NODE_KINDS.join(", ")}` }),
    externalId,
    source: z.string().regex(SOURCE_NAME_RE, "source must be 1-100 letters, digits, dot, dash or underscore").optional(),
  })
  .strict();

export const graphNodeSchema = z
  .object({
    kind: z.enum(NODE_KINDS, { error: `kind must be one of ${NODE_KINDS.join(", ")}` }),
    externalId,
    name: z.string().trim().min(1, "name is required").max(1000),
    attributes: attributes.optional(),
  })
  .strict();

export const graphEdgeSchema = z
  .object({
    kind: z.enum(EDGE_KINDS, { error: `kind must be one of ${EDGE_KINDS.join(", ")}` }),
    from: nodeRefSchema,
    to: nodeRefSchema,
    attributes: attributes.optional(),
  })
  .strict();

export const importModeSchema = z.enum(["full", "incremental"], { error: "mode must be full or incremental" });

export const graphDocumentHeaderSchema = z
  .object({
    source: z.string().regex(SOURCE_NAME_RE, "source must be 1-100 letters, digits, dot, dash or underscore"),
    mode: importModeSchema.default("incremental"),
  })
  .strict();

export const graphDocumentSchema = z
  .object({
    source: z.string().regex(SOURCE_NAME_RE, "source must be 1-100 letters, digits, dot, dash or underscore"),
    mode: importModeSchema.default("incremental"),
    nodes: z.array(z.unknown()).default([]),
    edges: z.array(z.unknown()).default([]),
  })
  .strict();

export type GraphNodeRecord = z.infer<typeof graphNodeSchema>;
export type GraphEdgeRecord = z.infer<typeof graphEdgeSchema>;
export type NodeRefRecord = z.infer<typeof nodeRefSchema>;
export type ImportMode = z.infer<typeof importModeSchema>;

export interface GraphDocument {
  source: string;
  mode: ImportMode;
  nodes: GraphNodeRecord[];
  edges: GraphEdgeRecord[];
}
