/**
 * The window's page saved as a PDF (a run record, with its signatures), for the Electron
 * shell: the file name checked, the page printed by Chromium (`webContents.printToPDF`), a
 * save dialog in the user's documents folder, the file written. Electron's pieces come in as
 * functions, so this runs in plain Node under test (test/unit/save-pdf.test.ts).
 */
import { safePdfFileName, type PdfSaveResult } from '../../shared/api-channels';

export interface SavePdfDeps {
  /** Chromium's print of the page, A4 portrait with its backgrounds */
  print(): Promise<Uint8Array>;
  /** the path the user picked, starting at this suggestion; null when cancelled */
  choosePath(suggested: string): Promise<string | null>;
  writeFile(path: string, data: Uint8Array): Promise<void>;
}

export async function savePageAsPdf(fileName: unknown, deps: SavePdfDeps): Promise<PdfSaveResult> {
  const name = safePdfFileName(fileName);
  if (name === null) return { saved: false, reason: `not a plain PDF file name: ${JSON.stringify(fileName)?.slice(0, 120)}` };
  let data: Uint8Array;
  try {
    data = await deps.print();
  } catch (err) {
    return { saved: false, reason: `the page could not be printed: ${err instanceof Error ? err.message : String(err)}` };
  }
  const path = await deps.choosePath(name);
  if (path === null) return { saved: false, reason: 'cancelled' };
  const target = path.toLowerCase().endsWith('.pdf') ? path : `${path}.pdf`;
  try {
    await deps.writeFile(target, data);
  } catch (err) {
    return { saved: false, reason: `${target} could not be written: ${err instanceof Error ? err.message : String(err)}` };
  }
  return { saved: true, path: target };
}
