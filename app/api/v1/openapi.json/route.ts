import { NextResponse } from "next/server";
import { openApiDocument } from "@/lib/api/openapi";
import pkg from "@/package.json";

export const dynamic = "force-static";

export function GET() {
  return NextResponse.json(openApiDocument(pkg.version));
}
