import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * For tests: rasterises a PDF with poppler's pdftoppm (Debian's poppler-utils)
 * and answers, per page, the share of pixels above the footer band that are
 * not white, so a page with nothing but its page number counts as blank. Also
 * the text (pdftotext -layout). Set keepPngIn to keep PNGs of the pages to look at.
 */
export function rasterisePdf(pdf: Uint8Array, keepPngIn?: string): { ink: number[]; text: string } {
  if (spawnSync("pdftoppm", ["-v"]).error)
    throw new Error("pdftoppm is not installed: the PDF tests need Debian's poppler-utils (apt-get install -y poppler-utils)");
  const work = mkdtempSync(path.join(os.tmpdir(), "attest-pdf-"));
  try {
    const file = path.join(work, "doc.pdf");
    writeFileSync(file, pdf);
    execFileSync("pdftoppm", ["-gray", "-r", "40", file, path.join(work, "page")]);
    if (keepPngIn) execFileSync("pdftoppm", ["-png", "-r", "70", file, path.join(keepPngIn, "page")]);
    const text = execFileSync("pdftotext", ["-layout", file, "-"]).toString();
    const ink = readdirSync(work)
      .filter((f) => f.endsWith(".pgm"))
      .sort()
      .map((f) => {
        const buf = readFileSync(path.join(work, f));
        // P5 header: magic, width, height, maxval, each followed by whitespace; then one byte per pixel.
        const h = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(buf.subarray(0, 64).toString("latin1"))!;
        const [width, height] = [Number(h[1]), Number(h[2])];
        const body = buf.subarray(h[0].length, h[0].length + width * Math.floor(height * 0.9));
        let ink = 0;
        for (const p of body) if (p < 200) ink++;
        return ink / body.length;
      });
    return { ink, text };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
