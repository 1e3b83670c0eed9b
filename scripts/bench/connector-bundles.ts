import type { AnswerBundle } from "@/lib/connectors/bundle";
import { DRIVERS } from "@/lib/connectors/drivers";
import type { ConversionResult } from "@/lib/ingest/convert-util";

/**
 * Bundles in each vendor's documented answer shapes, built from generated people by each connector's own
 * `testing/synthetic.ts`, for the connectors benchmark.
 */
export interface SyntheticBundle {
  format: string;
  convert(source: string): ConversionResult;
}

type Maker = (people: { email: string; name: string }[]) => Promise<AnswerBundle>;

const MAKERS: Partial<Record<keyof typeof DRIVERS, Maker>> = {
  "aws-iam": async (people) => (await import("@/lib/connectors/aws-iam/testing/synthetic")).syntheticIamBundle(people),
  entra: async (people) => (await import("@/lib/connectors/entra/testing/synthetic")).syntheticEntraBundle(people),
  github: async (people) => (await import("@/lib/connectors/github/testing/synthetic")).syntheticGithubBundle(people),
  okta: async (people) => (await import("@/lib/connectors/okta/testing/synthetic")).syntheticOktaBundle(people),
};

export async function syntheticBundles(people: { email: string; name: string }[]): Promise<SyntheticBundle[]> {
  const out: SyntheticBundle[] = [];
  for (const [kind, make] of Object.entries(MAKERS)) {
    const driver = DRIVERS[kind as keyof typeof DRIVERS];
    if (!driver || !make) continue;
    const bundle = await make(people);
    out.push({ format: driver.format, convert: (source) => driver.convert(bundle, { source, mode: "full", settings: driver.defaultSettings }) });
  }
  return out;
}
