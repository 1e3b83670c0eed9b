/**
 * Draws the app icons in public/ from public/icon.svg (the source of truth, also served as the SVG icon) with
 * headless Chromium, so the PNGs are the same shape at every size:
 *   icon-192.png, icon-512.png      the rounded icon, transparent corners (manifest, purpose "any")
 *   icon-maskable-512.png           full bleed, the check inside the central safe zone (manifest, purpose "maskable")
 *   apple-touch-icon.png (180)      full bleed and opaque: iOS rounds the corners itself and fills transparency black
 *
 *   npm run icons
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { chromium } from "@playwright/test";

const root = path.resolve(import.meta.dirname, "..");
const svg = readFileSync(path.join(root, "public/icon.svg"), "utf8");
/** Full bleed: no rounded corners, the check drawn at 80% around the centre (a maskable icon's safe zone). */
const fullBleed = svg.replace(/ rx="\d+"/, "").replace(/<path /, '<path transform="translate(256 256) scale(0.8) translate(-256 -256)" ');

const outputs = [
  { file: "icon-192.png", size: 192, svg },
  { file: "icon-512.png", size: 512, svg },
  { file: "icon-maskable-512.png", size: 512, svg: fullBleed },
  { file: "apple-touch-icon.png", size: 180, svg: fullBleed },
];

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.ATTEST_CHROMIUM ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  try {
    for (const o of outputs) {
      const page = await browser.newPage({ viewport: { width: o.size, height: o.size } });
      const sized = o.svg.replace("<svg ", `<svg width="${o.size}" height="${o.size}" `);
      await page.setContent(`<!doctype html><html><body style="margin:0;background:transparent">${sized}</body></html>`);
      writeFileSync(path.join(root, "public", o.file), await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: o.size, height: o.size } }));
      await page.close();
      console.log(`public/${o.file} (${o.size}×${o.size})`);
    }
  } finally {
    await browser.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
