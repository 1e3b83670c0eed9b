import { NextResponse } from "next/server";
import { publicBaseUrl } from "@/lib/notifications/config";
import { pdpMetadata } from "@/lib/pdp/http";

export const dynamic = "force-dynamic";

/** AuthZEN Policy Decision Point metadata: public (it names endpoints, nothing else), as the specification expects. */
export function GET(): Response {
  return NextResponse.json(pdpMetadata(publicBaseUrl()), { headers: { "cache-control": "public, max-age=300" } });
}
