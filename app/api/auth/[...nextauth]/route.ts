import type { NextRequest } from "next/server";
import { handlers } from "@/lib/auth/auth";
import { withPublicOrigin } from "@/lib/auth/public-request";

// Auth.js's endpoints (sign-in, OIDC callback, sign-out), seen at the origin the browser used (lib/auth/public-request.ts).
export const GET = (req: NextRequest) => handlers.GET(withPublicOrigin(req));
export const POST = (req: NextRequest) => handlers.POST(withPublicOrigin(req));
