import { NextResponse, type NextRequest } from "next/server";

/**
 * Convenience only: sends visitors without a session cookie to sign-in before
 * rendering. It is not a security boundary: every page and handler checks the
 * actor and its permissions itself (lib/authz).
 */
export function proxy(req: NextRequest) {
  const hasSession = req.cookies.has("authjs.session-token") || req.cookies.has("__Secure-authjs.session-token");
  if (!hasSession) return NextResponse.redirect(new URL("/sign-in", req.url));
  return NextResponse.next();
}

export const config = {
  // Pages only: API routes (and the AuthZEN endpoints under /access/v1, its metadata under /.well-known) answer 401 themselves; sign-in, auth and static files (icons, the web app manifest) stay open.
  matcher: ["/((?!api|access/v1|\\.well-known|scim|sign-in|forbidden|_next|favicon.ico|manifest.webmanifest|.*\\.(?:png|svg|ico|txt)$).*)"],
};
