/**
 * The shell's "save the page as a PDF": a bad file name refused before anything prints, a
 * cancelled dialog writes nothing, the file written where the user chose (with .pdf), a real
 * file on disk, and failures come back as reasons rather than throws.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { safePdfFileName } from '../../shared/api-channels';
import { savePageAsPdf, type SavePdfDeps } from '../../main/shell/save-pdf';
import { tempDir } from '../helpers/temp';

const PDF = new TextEncoder().encode('%PDF-1.7\n%fake page\n');

function deps(over: Partial<SavePdfDeps> & { chosen?: string | null } = {}): SavePdfDeps & { printed: number } {
  const d = {
    printed: 0,
    print: async () => {
      d.printed++;
      return PDF;
    },
    choosePath: async () => (over.chosen === undefined ? null : over.chosen),
    writeFile: (path: string, data: Uint8Array) => writeFile(path, data),
    ...over,
  };
  return d;
}

test('1. file names: plain names ending in .pdf only', () => {
  assert.equal(safePdfFileName('WI-OPS-001 run 12.pdf'), 'WI-OPS-001 run 12.pdf');
  for (const bad of ['../x.pdf', 'a/b.pdf', 'a\\\\b.pdf', 'run.exe', '.pdf', '', 'x'.repeat(120) + '.pdf', 12, null]) assert.equal(safePdfFileName(bad), null, String(bad));
});

test('2. a bad name is refused before the page is printed', async () => {
  const d = deps({ chosen: '/tmp/never.pdf' });
  const r = await savePageAsPdf('../../etc/passwd', d);
  assert.equal(r.saved, false);
  assert.match(!r.saved ? r.reason : '', /not a plain PDF file name/);
  assert.equal(d.printed, 0);
});

test('3. cancelled: nothing written; chosen: the real file, .pdf added when missing', async () => {
  const tmp = tempDir();
  try {
    assert.deepEqual(await savePageAsPdf('run-7.pdf', deps({ chosen: null })), { saved: false, reason: 'cancelled' });
    const r = await savePageAsPdf('run-7.pdf', deps({ chosen: join(tmp.dir, 'record') }));
    assert.deepEqual(r, { saved: true, path: join(tmp.dir, 'record.pdf') });
    assert.deepEqual(new Uint8Array(readFileSync(join(tmp.dir, 'record.pdf'))), PDF);
  } finally {
    tmp.cleanup();
  }
});

test('4. print and write failures come back as reasons naming what failed', async () => {
  const printFails = await savePageAsPdf('a.pdf', deps({ chosen: '/x.pdf', print: async () => Promise.reject(new Error('renderer gone')) }));
  assert.deepEqual(printFails, { saved: false, reason: 'the page could not be printed: renderer gone' });
  const tmp = tempDir();
  try {
    const target = join(tmp.dir, 'no-such-folder', 'a.pdf');
    const writeFails = await savePageAsPdf('a.pdf', deps({ chosen: target }));
    assert.equal(writeFails.saved, false);
    assert.match(!writeFails.saved ? writeFails.reason : '', /no-such-folder.*could not be written: ENOENT/);
  } finally {
    tmp.cleanup();
  }
});
