import { NextRequest } from "next/server";

/**
 * The request as the browser addressed it. Next.js hands route handlers a URL built from the server's own
 * hostname (`http://localhost:<port>`), whatever the Host header says, while Auth.js's server actions (the start of
 * a sign-in) build theirs from Host / X-Forwarded-Host. OIDC needs both to agree: the redirect URI sent to the IdP
 * at the start must equal the one sent with the code at the callback. So, as the server actions do (trustHost),
 * take the origin from the forwarded or Host header. With AUTH_URL set, Auth.js uses that instead and this changes
 * nothing. (Next.js still reports a loopback address such as 127.0.0.1 as localhost.)
 */
export function withPublicOrigin(req: NextRequest): NextRequest {
  if (process.env.AUTH_URL || process.env.NEXTAUTH_URL) return req;
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host");
  if (!host) return req;
  const proto = (req.headers.get("x-forwarded-proto") ?? req.nextUrl.protocol).replace(/:$/, "");
  let origin: string;
  try {
    origin = new URL(`${proto === "https" ? "https" : "http"}://${host}`).origin;
  } catch {
    return req;
  }
  if (origin === req.nextUrl.origin) return req;
  return new NextRequest(new URL(`${req.nextUrl.pathname}${req.nextUrl.search}`, origin), req);
}
