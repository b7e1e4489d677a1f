/**
 * Printing a record: in the Electron window the page is saved as a PDF by the shell
 * (Chromium's printToPDF, a save dialog); in a browser (the headless shell) the browser's own
 * print, whose dialog can also save a PDF.
 */
import type { PdfSaveResult } from '../../shared/api';

export const canSavePdf = (): boolean => typeof window.lineside?.printToPdf === 'function';

export async function printRecord(fileName: string): Promise<PdfSaveResult | null> {
  const bridge = window.lineside;
  if (bridge !== undefined && typeof bridge.printToPdf === 'function') return bridge.printToPdf(fileName);
  window.print();
  return null;
}
