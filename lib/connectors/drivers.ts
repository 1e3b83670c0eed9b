import type { ConnectorKind, OfflineFormat, AnyDriver } from "./types";
import { awsIamDriver } from "./aws-iam/driver";
import { entraDriver } from "./entra/driver";
import { githubDriver } from "./github/driver";
import { oktaDriver } from "./okta/driver";

/**
 * Every connector's driver, by kind. Each lives in lib/connectors/<kind>/
 * (SDK collection, pure conversion, offline reading, its fake and fixtures).
 */
export const DRIVERS: Partial<Record<ConnectorKind, AnyDriver>> = { "aws-iam": awsIamDriver, entra: entraDriver, github: githubDriver, okta: oktaDriver };

export function driverFor(kind: string): AnyDriver | undefined {
  return Object.hasOwn(DRIVERS, kind) ? DRIVERS[kind as ConnectorKind] : undefined;
}

export function driverForFormat(format: OfflineFormat | string): AnyDriver | undefined {
  return Object.values(DRIVERS).find((d) => d?.format === format);
}
