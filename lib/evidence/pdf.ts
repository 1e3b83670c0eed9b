import { existsSync } from "node:fs";
import path from "node:path";
import PDFDocument from "pdfkit";

/**
 * A readable report a person would hand an auditor: a cover page with the
 * title, the facts and the totals; sections with tables that wrap long cells,
 * carry across pages and repeat their header; a sign-off page; page numbers.
 * Deterministic: the same report gives the same bytes (fixed creation date, no
 * random ids), so a re-export hashes the same.
 */
export interface PdfTable {
  columns: { header: string; width: number; align?: "left" | "right" }[];
  rows: string[][];
  /** Shown instead of an empty table. */
  empty?: string;
}

export interface PdfSection {
  heading: string;
  intro?: string[];
  facts?: [string, string][];
  table?: PdfTable;
  /** Start the section on a new page (long tables read better that way). */
  newPage?: boolean;
}

export interface PdfReport {
  title: string;
  subtitle?: string;
  /** Key facts on the cover: id, scope, as-of time… */
  facts: [string, string][];
  totals: { label: string; value: string }[];
  notes?: string[];
  sections: PdfSection[];
  signOff: { intro?: string; facts: [string, string][]; signatureLines?: string[] };
  /** Left side of every page's footer; the right side is "Page n of N". */
  footer: string;
  /** Written as the document's creation date; pass a date of the content, not now. */
  creationDate: Date;
  /** Wide tables (many columns) read better across the page. */
  landscape?: boolean;
}

const MARGIN = 50;
const COLOR = { text: "#1c2430", muted: "#5b6675", border: "#dfe3e8", head: "#eef0f3", zebra: "#f7f8fa", accent: "#2457d6", box: "#f2f4f7" };

interface Fonts {
  regular: string;
  bold: string;
  mono: string;
  /** Standard PDF fonts only encode Windows-1252: other characters must be replaced. */
  winAnsiOnly: boolean;
}

/** DejaVu (Debian's fonts-dejavu-core) covers most scripts; without it, the PDF standard fonts. */
function pickFonts(doc: PDFKit.PDFDocument): Fonts {
  const dir = process.env.ATTEST_PDF_FONT_DIR ?? "/usr/share/fonts/truetype/dejavu";
  const files = { regular: "DejaVuSans.ttf", bold: "DejaVuSans-Bold.ttf", mono: "DejaVuSansMono.ttf" };
  if (Object.values(files).every((f) => existsSync(path.join(dir, f)))) {
    for (const [name, file] of Object.entries(files)) doc.registerFont(name, path.join(dir, file));
    return { regular: "regular", bold: "bold", mono: "mono", winAnsiOnly: false };
  }
  return { regular: "Helvetica", bold: "Helvetica-Bold", mono: "Courier", winAnsiOnly: true };
}

const CP1252_EXTRA = new Set("€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ");
const FALLBACK: Record<string, string> = { "→": "->", "←": "<-", "≠": "!=", "≤": "<=", "≥": ">=", "✓": "v", "✗": "x" };

function winAnsi(s: string): string {
  let out = "";
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    out += (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xff) || ch === "\n" || CP1252_EXTRA.has(ch) ? ch : (FALLBACK[ch] ?? "?");
  }
  return out;
}

export async function renderPdf(r: PdfReport): Promise<Uint8Array> {
  const doc = new PDFDocument({
    size: "A4",
    layout: r.landscape ? "landscape" : "portrait",
    margins: { top: MARGIN, bottom: MARGIN + 10, left: MARGIN, right: MARGIN },
    bufferPages: true,
    compress: true,
    info: {
      Title: r.title,
      Author: "Attest",
      Subject: r.subtitle ?? r.title,
      Creator: "Attest",
      Producer: "Attest",
      CreationDate: r.creationDate,
      ModDate: r.creationDate,
    },
  });
  const chunks: Buffer[] = [];
  doc.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    doc.on("end", () => resolve());
    doc.on("error", reject);
  });

  const fonts = pickFonts(doc);
  const t = (s: string) => (fonts.winAnsiOnly ? winAnsi(s) : s);
  const width = doc.page.width - 2 * MARGIN;
  const bottom = () => doc.page.height - doc.page.margins.bottom;

  const heading = (text: string, size = 14) => {
    if (doc.y + 60 > bottom()) doc.addPage();
    doc.font(fonts.bold).fontSize(size).fillColor(COLOR.text).text(t(text), MARGIN, doc.y, { width });
    doc.moveDown(0.4);
  };
  const paragraph = (text: string, size = 9.5, color = COLOR.text) => {
    doc.font(fonts.regular).fontSize(size).fillColor(color).text(t(text), MARGIN, doc.y, { width });
    doc.moveDown(0.4);
  };
  const facts = (rows: [string, string][]) => {
    const labelW = 140;
    for (const [label, value] of rows) {
      doc.font(fonts.regular).fontSize(9.5);
      const h = Math.max(doc.heightOfString(t(value || "—"), { width: width - labelW }), 12);
      if (doc.y + h > bottom()) doc.addPage();
      const y = doc.y;
      doc
        .fillColor(COLOR.muted)
        .fontSize(9)
        .text(t(label), MARGIN, y, { width: labelW - 10 });
      doc
        .fillColor(COLOR.text)
        .fontSize(9.5)
        .text(t(value || "—"), MARGIN + labelW, y, { width: width - labelW });
      doc.y = y + h + 4;
    }
    doc.moveDown(0.5);
  };

  const table = (tb: PdfTable) => {
    if (tb.rows.length === 0) {
      paragraph(tb.empty ?? "None.", 9.5, COLOR.muted);
      return;
    }
    const pad = 4;
    const size = 8;
    const sum = tb.columns.reduce((a, c) => a + c.width, 0);
    const widths = tb.columns.map((c) => (c.width / sum) * width);
    const xs = widths.map((_, i) => MARGIN + widths.slice(0, i).reduce((a, w) => a + w, 0));
    const measure = (cells: string[], font: string) => {
      doc.font(font).fontSize(size);
      return Math.max(...cells.map((c, i) => doc.heightOfString(t(c) || " ", { width: widths[i]! - 2 * pad }))) + 2 * pad;
    };
    const headerCells = tb.columns.map((c) => c.header);
    const headerH = measure(headerCells, fonts.bold);
    const drawRow = (cells: string[], y: number, h: number, font: string, fill?: string) => {
      if (fill) doc.rect(MARGIN, y, width, h).fill(fill);
      doc.font(font).fontSize(size).fillColor(COLOR.text);
      cells.forEach((c, i) => doc.text(t(c), xs[i]! + pad, y + pad, { width: widths[i]! - 2 * pad, align: tb.columns[i]!.align ?? "left" }));
      doc
        .moveTo(MARGIN, y + h)
        .lineTo(MARGIN + width, y + h)
        .lineWidth(0.5)
        .strokeColor(COLOR.border)
        .stroke();
    };
    let y = doc.y;
    const header = () => {
      drawRow(headerCells, y, headerH, fonts.bold, COLOR.head);
      y += headerH;
    };
    if (y + headerH + 30 > bottom()) {
      doc.addPage();
      y = doc.page.margins.top;
    }
    header();
    const room = bottom() - doc.page.margins.top - headerH - 4;
    tb.rows.forEach((row, i) => {
      let cells = row.map((c) => c ?? "");
      let h = measure(cells, fonts.regular);
      // A row taller than a page cannot be carried over: shorten its longest cells until it fits.
      while (h > room) {
        const longest = cells.reduce((m, c, j) => (c.length > cells[m]!.length ? j : m), 0);
        cells = cells.map((c, j) => (j === longest ? `${c.slice(0, Math.floor(c.length * 0.7))}… [cut to fit the page; the CSV has it in full]` : c));
        h = measure(cells, fonts.regular);
      }
      if (y + h > bottom() - 2) {
        doc.addPage();
        y = doc.page.margins.top;
        header();
      }
      drawRow(cells, y, h, fonts.regular, i % 2 === 1 ? COLOR.zebra : undefined);
      y += h;
    });
    doc.x = MARGIN;
    doc.y = y + 12;
  };

  // Cover
  doc
    .font(fonts.bold)
    .fontSize(9)
    .fillColor(COLOR.accent)
    .text("ATTEST · EVIDENCE", MARGIN, MARGIN + 20, { width, characterSpacing: 1 });
  doc.moveDown(0.8);
  doc.font(fonts.bold).fontSize(22).fillColor(COLOR.text).text(t(r.title), { width });
  if (r.subtitle) {
    doc.moveDown(0.3);
    doc.font(fonts.regular).fontSize(12).fillColor(COLOR.muted).text(t(r.subtitle), { width });
  }
  doc.moveDown(1.5);
  facts(r.facts);
  if (r.totals.length) {
    const perRow = 3;
    const gap = 10;
    const boxW = (width - gap * (perRow - 1)) / perRow;
    const boxH = 52;
    let y = doc.y + 4;
    r.totals.forEach((tot, i) => {
      const col = i % perRow;
      if (col === 0 && i > 0) y += boxH + gap;
      if (col === 0 && y + boxH > bottom()) {
        doc.addPage();
        y = doc.page.margins.top;
      }
      const x = MARGIN + col * (boxW + gap);
      doc.roundedRect(x, y, boxW, boxH, 4).fill(COLOR.box);
      doc
        .font(fonts.bold)
        .fontSize(18)
        .fillColor(COLOR.text)
        .text(t(tot.value), x + 10, y + 8, { width: boxW - 20, lineBreak: false });
      doc
        .font(fonts.regular)
        .fontSize(8.5)
        .fillColor(COLOR.muted)
        .text(t(tot.label), x + 10, y + 33, { width: boxW - 20, lineBreak: false, ellipsis: true });
    });
    doc.x = MARGIN;
    doc.y = y + boxH + 18;
  }
  for (const n of r.notes ?? []) paragraph(n, 8.5, COLOR.muted);

  // Sections
  for (const s of r.sections) {
    if (s.newPage) doc.addPage();
    else doc.moveDown(0.8);
    heading(s.heading);
    for (const p of s.intro ?? []) paragraph(p);
    if (s.facts) facts(s.facts);
    if (s.table) table(s.table);
  }

  // Sign-off
  doc.addPage();
  heading("Sign-off", 16);
  if (r.signOff.intro) paragraph(r.signOff.intro);
  facts(r.signOff.facts);
  for (const line of r.signOff.signatureLines ?? []) {
    doc.moveDown(1.6);
    if (doc.y + 30 > bottom()) doc.addPage();
    const y = doc.y + 14;
    doc
      .moveTo(MARGIN + 140, y)
      .lineTo(MARGIN + width, y)
      .lineWidth(0.7)
      .strokeColor(COLOR.muted)
      .stroke();
    doc
      .font(fonts.regular)
      .fontSize(9)
      .fillColor(COLOR.muted)
      .text(t(line), MARGIN, y - 10, { width: 130 });
    doc.y = y + 6;
  }

  // Footers, once the page count is known.
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const keep = doc.page.margins.bottom;
    doc.page.margins.bottom = 0; // writing below the margin must not open a new page
    const y = doc.page.height - MARGIN + 8;
    doc
      .moveTo(MARGIN, y - 6)
      .lineTo(MARGIN + width, y - 6)
      .lineWidth(0.5)
      .strokeColor(COLOR.border)
      .stroke();
    doc.font(fonts.regular).fontSize(7.5).fillColor(COLOR.muted);
    doc.text(t(r.footer), MARGIN, y, { width: width - 80, lineBreak: false, ellipsis: true });
    doc.text(`Page ${i + 1} of ${range.count}`, MARGIN, y, { width, align: "right", lineBreak: false });
    doc.page.margins.bottom = keep;
  }
  doc.end();
  await done;
  return new Uint8Array(Buffer.concat(chunks));
}
