import { NextResponse } from "next/server";
// The aggregator lives beside its route: it names every area, so no lib area may hold it (see lib/architecture.test.ts).
import { openApiDocument } from "./document";
import pkg from "@/package.json";

export const dynamic = "force-static";

export function GET() {
  return NextResponse.json(openApiDocument(pkg.version));
}
