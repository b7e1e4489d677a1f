/**
 * Exports of the visible range: CSV of the raw samples (streamed by the headless shell's
 * /export/samples.csv, not the decimated points on screen) and a PNG picture of the chart with
 * its pen legend and time range.
 */
import { tokenFromHash } from '../../api/runtime-url';
import { formatDateTime } from './trend-range';

/** The download address of the raw samples, or null where no HTTP shell serves it (the desktop window). */
export function samplesCsvUrl(tagIds: readonly string[], from: number, to: number, page: { protocol: string; hash: string }): string | null {
  if (page.protocol !== 'http:' && page.protocol !== 'https:') return null;
  const q = new URLSearchParams({ tags: tagIds.join(','), from: String(Math.floor(from)), to: String(Math.ceil(to)) });
  const token = tokenFromHash(page.hash);
  if (token !== null) q.set('token', token);
  return `/export/samples.csv?${q.toString()}`;
}

export interface LegendEntry {
  name: string;
  units: string;
  color: string;
  dash: number[] | undefined;
}

/** The chart's canvas with a title, the time range and a legend above it, as a PNG blob. */
export async function chartPicture(canvas: HTMLCanvasElement, title: string, from: number, to: number, legend: readonly LegendEntry[]): Promise<Blob> {
  const pad = 16;
  const lineH = 30;
  const perRow = 4;
  const rows = Math.ceil(legend.length / perRow);
  const head = pad + 34 + 28 + rows * lineH + pad;
  const out = document.createElement('canvas');
  out.width = canvas.width + 2 * pad;
  out.height = canvas.height + head + pad;
  const ctx = out.getContext('2d');
  if (ctx === null) throw new Error('the browser cannot draw the picture (no 2D canvas)');
  ctx.fillStyle = '#e2e2e2';
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.fillStyle = '#1e1e1e';
  ctx.textBaseline = 'top';
  ctx.font = '600 26px system-ui, sans-serif';
  ctx.fillText(title, pad, pad);
  ctx.font = '20px system-ui, sans-serif';
  ctx.fillText(`${formatDateTime(from)} – ${formatDateTime(to)}`, pad, pad + 34);
  const colW = (out.width - 2 * pad) / perRow;
  legend.forEach((e, i) => {
    const x = pad + (i % perRow) * colW;
    const y = pad + 34 + 28 + Math.floor(i / perRow) * lineH + 8;
    ctx.strokeStyle = e.color;
    ctx.lineWidth = 3;
    ctx.setLineDash(e.dash ?? []);
    ctx.beginPath();
    ctx.moveTo(x, y + 10);
    ctx.lineTo(x + 40, y + 10);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = '#1e1e1e';
    ctx.font = '18px system-ui, sans-serif';
    ctx.fillText(e.units === '' ? e.name : `${e.name} (${e.units})`, x + 50, y);
  });
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(pad, head, canvas.width, canvas.height);
  ctx.drawImage(canvas, pad, head);
  return new Promise((resolve, reject) => out.toBlob((b) => (b === null ? reject(new Error('the picture could not be encoded')) : resolve(b)), 'image/png'));
}

/** Offers a blob as a file download (blocked in the desktop window, which denies downloads). */
export function downloadBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function exportFileStem(from: number): string {
  return `lineside-trend-${new Date(from).toISOString().slice(0, 19).replace(/[:T]/g, '-')}`;
}
