import { registerBinaryFormat } from "@/lib/ingest/converters";
import { DRIVERS } from "./drivers";

/**
 * The connectors' offline formats (`?format=aws-iam|entra-graph|okta-api|github-rest`):
 * the vendor's own export, read into a bundle and converted exactly as a live
 * run's answers are, with the driver's default settings. Imported for its
 * effect by the imports route.
 */
for (const driver of Object.values(DRIVERS)) {
  if (!driver) continue;
  registerBinaryFormat(driver.format, (bytes, opts) => {
    const read = driver.readOffline(bytes, opts.maxBytes);
    if (!read.ok) return read;
    const converted = driver.convert(read.bundle, { source: opts.source, mode: opts.mode, settings: driver.defaultSettings });
    if (!converted.ok) return converted;
    return { ok: true, document: converted.document, warnings: converted.warnings, detectedFormat: driver.format };
  });
}
