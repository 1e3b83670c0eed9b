import { describe, expect, it } from "vitest";
import { renderPdf, type PdfReport } from "./pdf";
import { rasterisePdf } from "./pdf-ink";

const report = (rows: number): PdfReport => ({
  title: "Who could reach the finance MCP server",
  subtitle: "as of 2026-03-31 00:00 UTC",
  facts: [
    ["Subject", "finance-fs (mcp_server) · mcp-configs:mcp_server:finance-fs"],
    ["Report id", "rpt_0123456789abcdef0123456789"],
  ],
  totals: [
    { label: "principals", value: String(rows) },
    { label: "humans", value: "12" },
    { label: "agents", value: "3" },
    { label: "service accounts", value: "4" },
  ],
  notes: ["Evidences ISO/IEC 27001:2022 A.5.18 Access rights."],
  sections: [
    {
      heading: "Principals and their paths",
      newPage: true,
      table: {
        columns: [
          { header: "#", width: 4, align: "right" },
          { header: "Name", width: 18 },
          { header: "Kind", width: 10 },
          { header: "Path", width: 50 },
        ],
        rows: Array.from({ length: rows }, (_, i) => [
          String(i + 1),
          i % 7 === 0 ? `Zoë “quoted”, Ωmega ${i}` : `Person ${i}`,
          "human",
          i % 10 === 0
            ? `a-very-long-token-without-spaces-${"x".repeat(200)}`
            : `Person ${i} (human) → member_of → Finance (group) → has_entitlement → Finance read (entitlement) → grants → finance-fs (mcp_server)`,
        ]),
      },
    },
  ],
  signOff: { intro: "Reviewed by the undersigned.", facts: [["Prepared from", "Attest"]], signatureLines: ["Reviewed by", "Signature", "Date"] },
  footer: "Attest · access report rpt_0123",
  creationDate: new Date("2026-03-31T00:00:00Z"),
});

describe("PDF report", () => {
  it("renders a cover, a table carried over several pages with its header repeated, and a sign-off page, none of them blank", async () => {
    const pdf = await renderPdf(report(160));
    expect(Buffer.from(pdf.subarray(0, 5)).toString()).toBe("%PDF-");
    const { ink, text } = rasterisePdf(pdf);
    expect(ink.length).toBeGreaterThanOrEqual(5);
    for (const [i, share] of ink.entries()) expect(share, `page ${i + 1}`).toBeGreaterThan(0.002);
    const flat = text.replace(/\s+/g, " ");
    expect(flat).toContain("Who could reach the finance MCP server");
    expect(flat).toContain(`Page ${ink.length} of ${ink.length}`);
    expect(flat).toContain("Sign-off");
    expect(flat).toContain("Person 159");
    expect(text.match(/Name\s+Kind\s+Path/g)!.length).toBe(ink.length - 2);
    // Typographic quotes, accents and Greek survive as text.
    expect(flat).toContain("Zoë “quoted”, Ωmega");
  });

  it("is byte-for-byte the same when rendered twice", async () => {
    const a = await renderPdf(report(40));
    const b = await renderPdf(report(40));
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  it("renders an empty table as a sentence, not a blank page", async () => {
    const r = report(0);
    r.sections[0]!.table!.empty = "Nobody could reach it.";
    const { ink, text } = rasterisePdf(await renderPdf(r));
    expect(ink).toHaveLength(3);
    for (const share of ink) expect(share).toBeGreaterThan(0.002);
    expect(text).toContain("Nobody could reach it.");
  });

  it("without the DejaVu fonts falls back to the standard fonts, replacing what they cannot encode", async () => {
    const keep = process.env.ATTEST_PDF_FONT_DIR;
    process.env.ATTEST_PDF_FONT_DIR = "/nonexistent";
    try {
      const { ink, text } = rasterisePdf(await renderPdf(report(12)));
      for (const share of ink) expect(share).toBeGreaterThan(0.002);
      expect(text).toContain("Zoë “quoted”, ?mega");
      expect(text).toContain("-> member_of ->");
    } finally {
      if (keep === undefined) delete process.env.ATTEST_PDF_FONT_DIR;
      else process.env.ATTEST_PDF_FONT_DIR = keep;
    }
  });
});
