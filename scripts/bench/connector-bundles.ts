import type { ConversionResult } from "@/lib/ingest/convert-util";

/**
 * Bundles in each vendor's documented answer shapes, built from generated people, for the connectors benchmark.
 * Filled in per connector as their drivers land (lib/connectors/<kind>/).
 */
export interface SyntheticBundle {
  format: string;
  convert(source: string): ConversionResult;
}

export async function syntheticBundles(people: { email: string; name: string }[]): Promise<SyntheticBundle[]> {
  void people;
  return [];
}
