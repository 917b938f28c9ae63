/**
 * Exports from the browser: every chart as SVG and PNG, every matrix or table as CSV and JSON.
 * Pure string builders (tested) plus a download helper.
 */

export type Cell = string | number | null | undefined;

/** RFC 4180 CSV: fields with a comma, quote or newline are quoted; null and undefined are empty. */
export function toCsv(columns: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const field = (v: Cell) => {
    if (v === null || v === undefined) return "";
    const s = typeof v === "number" ? (Number.isFinite(v) ? String(v) : "") : v;
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [columns, ...rows].map((r) => r.map(field).join(",")).join("\n") + "\n";
}

/** A square matrix as CSV with expert ids as the header row and first column. */
export function matrixToCsv(
  matrix: readonly (readonly number[])[],
  labels: readonly (string | number)[] = matrix.map((_, i) => i),
  corner = "expert",
): string {
  return toCsv(
    [corner, ...labels.map(String)],
    matrix.map((row, i) => [String(labels[i]), ...row]),
  );
}

/** A row-major n x n typed array as CSV, as matrixToCsv writes it (exports only). */
export function flatMatrixToCsv(
  values: ArrayLike<number>,
  n: number,
  labels: readonly (string | number)[] = Array.from({ length: n }, (_, i) => i),
  corner = "expert",
): string {
  return matrixToCsv(matrixRows(values, n), labels, corner);
}

/** Nested rows of a row-major matrix: only for exports (JSON files, CSV), never on the drawing path. */
export function matrixRows(values: ArrayLike<number>, n: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => values[i * n + j]));
}

/** A standalone SVG document of an SVG element: currentColor resolved, namespace declared. */
export function svgDocument(svg: SVGSVGElement): string {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  clone.setAttribute("xmlns", "http://www.w3.org/2000/svg");
  // currentColor comes from CSS around the chart; a file has none, so pin the resolved color.
  clone.style.color = getComputedStyle(svg).color;
  clone.style.fontFamily = getComputedStyle(svg).fontFamily;
  return new XMLSerializer().serializeToString(clone);
}

/** A heatmap as vector SVG: one rect per cell in the shown order, the diagonal gray. */
export function heatmapSvg(
  values: ArrayLike<number>,
  n: number,
  order: readonly number[],
  color: (v: number) => string,
  cell: number,
): string {
  return gridSvg(values, n, order, order, color, cell, cell, true);
}

/** Any row x column grid as vector SVG (`values[i * stride + j]` for row id i, column id j). */
export function gridSvg(
  values: ArrayLike<number>,
  stride: number,
  rowOrder: readonly number[],
  colOrder: readonly number[],
  color: (v: number) => string,
  cellWidth: number,
  cellHeight: number,
  grayDiagonal = false,
): string {
  const w = colOrder.length * cellWidth;
  const h = rowOrder.length * cellHeight;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" shape-rendering="crispEdges">`,
  ];
  for (let r = 0; r < rowOrder.length; r++) {
    for (let c = 0; c < colOrder.length; c++) {
      const i = rowOrder[r];
      const j = colOrder[c];
      const v = values[i * stride + j];
      const fill = grayDiagonal && i === j ? "#808080" : color(v);
      parts.push(
        `<rect x="${c * cellWidth}" y="${r * cellHeight}" width="${cellWidth}" height="${cellHeight}" fill="${fill}"><title>${i},${j}: ${v}</title></rect>`,
      );
    }
  }
  parts.push("</svg>");
  return parts.join("");
}

export function download(name: string, content: Blob | string, type = "text/plain") {
  const blob = typeof content === "string" ? new Blob([content], { type }) : content;
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Rasterizes an SVG string at 2× for a crisp PNG, on the page background color. */
export async function svgToPng(
  svgText: string,
  width: number,
  height: number,
  background: string,
  scale = 2,
): Promise<Blob> {
  const img = new Image();
  const url = URL.createObjectURL(new Blob([svgText], { type: "image/svg+xml" }));
  try {
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error("the chart could not be rendered as an image"));
      img.src = url;
    });
    const canvas = document.createElement("canvas");
    canvas.width = Math.ceil(width * scale);
    canvas.height = Math.ceil(height * scale);
    const ctx = canvas.getContext("2d")!;
    ctx.fillStyle = background;
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("PNG encoding failed"))), "image/png"),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}

export const fileSlug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
