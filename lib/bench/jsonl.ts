import { createWriteStream } from "node:fs";
import { once } from "node:events";
import type { ImportMode } from "@/lib/ingest/graph-document";
import { EDGE_KINDS } from "@/lib/graph/model";
import type { BenchDataset } from "./dataset";

export interface JsonlWritten {
  file: string;
  nodes: number;
  edges: number;
  bytes: number;
}

/**
 * Lines of the Attest JSONL import format for a dataset: a header
 * `{"source","mode"}`, then every node `{"node":{…}}`, then every edge
 * `{"edge":{…}}` (ends by kind and external id, in the document's source).
 * A generator of lines, so a caller never holds the document as JSON.
 */
export function* datasetJsonlLines(ds: BenchDataset, source = ds.source, mode: ImportMode = "full"): Generator<string> {
  yield JSON.stringify({ source, mode });
  for (let i = 0; i < ds.nodeKinds.length; i++) {
    const attributes = ds.attributes[i]!;
    const node = Object.keys(attributes).length
      ? { kind: ds.nodeKinds[i], externalId: ds.externalIds[i], name: ds.names[i], attributes }
      : { kind: ds.nodeKinds[i], externalId: ds.externalIds[i], name: ds.names[i] };
    yield JSON.stringify({ node });
  }
  for (let i = 0; i < ds.edgeKinds.length; i++) {
    const f = ds.edgeFrom[i]!;
    const t = ds.edgeTo[i]!;
    yield JSON.stringify({
      edge: {
        kind: EDGE_KINDS[ds.edgeKinds[i]!],
        from: { kind: ds.nodeKinds[f], externalId: ds.externalIds[f] },
        to: { kind: ds.nodeKinds[t], externalId: ds.externalIds[t] },
      },
    });
  }
}

/** Streams a dataset to `file` as Attest JSONL, in ~1 MB writes with back-pressure. */
export async function writeDatasetJsonl(ds: BenchDataset, file: string, source = ds.source, mode: ImportMode = "full"): Promise<JsonlWritten> {
  const out = createWriteStream(file, { encoding: "utf8" });
  let bytes = 0;
  let buffer: string[] = [];
  let buffered = 0;
  const flush = async () => {
    if (buffer.length === 0) return;
    const chunk = buffer.join("");
    buffer = [];
    buffered = 0;
    bytes += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await once(out, "drain");
  };
  try {
    for (const line of datasetJsonlLines(ds, source, mode)) {
      buffer.push(line, "\n");
      buffered += line.length + 1;
      if (buffered >= 1 << 20) await flush();
    }
    await flush();
  } finally {
    out.end();
    await once(out, "close");
  }
  return { file, nodes: ds.nodeKinds.length, edges: ds.edgeKinds.length, bytes };
}
