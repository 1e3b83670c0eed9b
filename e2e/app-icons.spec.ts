import { expect, test } from "@playwright/test";

// Browsers fetch the manifest and icons without cookies (before anyone signs in, and for the home screen), so every
// request here is made signed out and must answer the file itself, not a redirect to sign-in.

function pngSize(buf: Buffer) {
  expect(buf.readUInt32BE(0), "PNG signature").toBe(0x89504e47);
  return `${buf.readUInt32BE(16)}x${buf.readUInt32BE(20)}`;
}

test("the web app manifest is served signed out and names the app, its start page and its icons", async ({ request }) => {
  const res = await request.get("/manifest.webmanifest", { maxRedirects: 0 });
  expect(res.status()).toBe(200);
  expect(res.headers()["content-type"]).toMatch(/^application\/manifest\+json/);
  const m = await res.json();
  expect(m).toMatchObject({ name: expect.stringContaining("Attest"), short_name: "Attest", start_url: "/", display: "standalone" });
  expect(m.theme_color).toMatch(/^#[0-9a-f]{6}$/i);
  expect(m.background_color).toMatch(/^#[0-9a-f]{6}$/i);
  const pngs = (m.icons as { src: string; sizes: string; type: string; purpose: string }[]).filter((i) => i.type === "image/png");
  expect(pngs.map((i) => i.sizes)).toEqual(expect.arrayContaining(["192x192", "512x512"]));
  expect(pngs.some((i) => i.purpose === "maskable")).toBe(true);
  for (const icon of m.icons as { src: string; sizes: string; type: string }[]) {
    const file = await request.get(icon.src, { maxRedirects: 0 });
    expect(file.status(), icon.src).toBe(200);
    expect(file.headers()["content-type"], icon.src).toContain(icon.type);
    if (icon.type === "image/png") expect(pngSize(await file.body()), icon.src).toBe(icon.sizes);
  }
});

test("the apple-touch icon and the favicon are served signed out", async ({ request }) => {
  const apple = await request.get("/apple-touch-icon.png", { maxRedirects: 0 });
  expect(apple.status()).toBe(200);
  expect(apple.headers()["content-type"]).toBe("image/png");
  expect(pngSize(await apple.body())).toBe("180x180");
  const favicon = await request.get("/favicon.ico", { maxRedirects: 0 });
  expect(favicon.status()).toBe(200);
  expect(favicon.headers()["content-type"]).toMatch(/image/);
});

test("every page links the manifest, the icons and the theme colour", async ({ page }) => {
  await page.goto("/sign-in");
  const head = page.locator("head");
  await expect(head.locator('link[rel="manifest"]')).toHaveAttribute("href", "/manifest.webmanifest");
  await expect(head.locator('link[rel="apple-touch-icon"]')).toHaveAttribute("href", "/apple-touch-icon.png");
  await expect(head.locator('link[rel="icon"][type="image/svg+xml"]')).toHaveAttribute("href", "/icon.svg");
  await expect(head.locator('meta[name="theme-color"]')).toHaveAttribute("content", "#101828");
});
