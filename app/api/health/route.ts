import { sql } from "drizzle-orm";
import { NextResponse } from "next/server";
import { getDatabase } from "@/db/client";

export const dynamic = "force-dynamic";

export async function GET() {
  try {
    const database = await getDatabase();
    await database.db.execute(sql`select 1`);
    return NextResponse.json({ status: "ok", database: database.kind });
  } catch (err) {
    console.error("[health] database check failed:", err);
    return NextResponse.json({ status: "error", database: "unavailable" }, { status: 503 });
  }
}
