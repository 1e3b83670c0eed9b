import { NextRequest } from "next/server";
import { afterEach, describe, expect, it, vi } from "vitest";
import { withPublicOrigin } from "./public-request";

const req = (headers: Record<string, string>) => new NextRequest("http://localhost:3000/api/auth/callback/oidc?code=c&state=s", { headers });

describe("the Auth.js route handlers see the URL the browser used", () => {
  afterEach(() => vi.unstubAllEnvs());

  it("takes the origin from the Host header, keeping path and query", () => {
    expect(withPublicOrigin(req({ host: "attest.example.com" })).url).toBe("http://attest.example.com/api/auth/callback/oidc?code=c&state=s");
  });

  it("prefers the forwarded host and protocol of a proxy", () => {
    expect(withPublicOrigin(req({ host: "10.0.0.5:3000", "x-forwarded-host": "attest.example.com", "x-forwarded-proto": "https" })).url).toBe(
      "https://attest.example.com/api/auth/callback/oidc?code=c&state=s",
    );
  });

  it("leaves the request alone when AUTH_URL says where Attest lives, or the host is unusable", () => {
    vi.stubEnv("AUTH_URL", "https://attest.example.com");
    const r = req({ host: "other.example.com" });
    expect(withPublicOrigin(r)).toBe(r);
    vi.unstubAllEnvs();
    vi.stubEnv("AUTH_URL", "");
    vi.stubEnv("NEXTAUTH_URL", "");
    expect(withPublicOrigin(req({ host: "bad host/" })).url).toBe("http://localhost:3000/api/auth/callback/oidc?code=c&state=s");
  });
});
