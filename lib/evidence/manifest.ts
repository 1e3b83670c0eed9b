import { createHash } from "node:crypto";
import type { ChainVerification } from "@/lib/audit/emit-audit";
import type { Actor } from "@/lib/authz/actor";
import { actorLabel } from "@/lib/authz/actor";
import type { FrameworkRef } from "./frameworks";
import type { PackageFile } from "./zip";

export const MANIFEST_PATH = "manifest.json";
export const MANIFEST_FORMAT = "attest-evidence-package/1";

export interface ManifestFile {
  path: string;
  mediaType: string;
  bytes: number;
  sha256: string;
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  kind: "access_report" | "campaign" | "acceptances";
  /** The campaign id, or the report id (derived from the report's question, so the same question keeps its id). */
  id: string;
  title: string;
  /** UTC. The only part of a package that changes when identical content is exported again (with the chain head, if events were added since). */
  generatedAt: string;
  generatedBy: { type: string; id: string; label: string };
  appVersion: string;
  parameters: Record<string, unknown>;
  frameworks: FrameworkRef[];
  hashAlgorithm: "SHA-256";
  files: ManifestFile[];
  /** The audit log when the package was built: its head, and whether the whole chain verified. */
  auditChain: { ok: boolean; entries: number; head: string; brokenAt?: ChainVerification["brokenAt"] };
}

export const sha256Hex = (data: Uint8Array | string) => createHash("sha256").update(data).digest("hex");

const MEDIA_TYPES: Record<string, string> = {
  csv: "text/csv; charset=utf-8",
  json: "application/json",
  pdf: "application/pdf",
  txt: "text/plain; charset=utf-8",
};

export function mediaTypeOf(path: string): string {
  return MEDIA_TYPES[path.slice(path.lastIndexOf(".") + 1).toLowerCase()] ?? "application/octet-stream";
}

export interface ManifestInput {
  kind: Manifest["kind"];
  id: string;
  title: string;
  generatedAt: Date;
  actor: Actor;
  appVersion: string;
  parameters?: Record<string, unknown>;
  frameworks?: readonly FrameworkRef[];
  chain: ChainVerification;
  /** The files, whole or as already hashed while streamed. */
  files: readonly (PackageFile | { path: string; bytes: number; sha256: string })[];
}

/** The manifest of a package: what it is, who made it when, and the SHA-256 of every other file in it. */
export function buildManifest(m: ManifestInput): Manifest {
  return {
    format: MANIFEST_FORMAT,
    kind: m.kind,
    id: m.id,
    title: m.title,
    generatedAt: m.generatedAt.toISOString(),
    generatedBy: { type: m.actor.type, id: m.actor.id, label: actorLabel(m.actor) },
    appVersion: m.appVersion,
    parameters: m.parameters ?? {},
    frameworks: [...(m.frameworks ?? [])],
    hashAlgorithm: "SHA-256",
    files: m.files.map((f) =>
      "data" in f
        ? { path: f.path, mediaType: mediaTypeOf(f.path), bytes: f.data.byteLength, sha256: sha256Hex(f.data) }
        : { path: f.path, mediaType: mediaTypeOf(f.path), bytes: f.bytes, sha256: f.sha256 },
    ),
    auditChain: { ok: m.chain.ok, entries: m.chain.entries, head: m.chain.head, ...(m.chain.brokenAt ? { brokenAt: m.chain.brokenAt } : {}) },
  };
}

/** The manifest as written into the package: two-space JSON, keys in the order above, a final newline. */
export function manifestBytes(m: Manifest): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(m, null, 2)}\n`);
}
