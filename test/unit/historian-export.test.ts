/**
 * CSV export of raw samples: columns, formats, escaping, order.
 * (Constant memory over a large range: test/integration/historian-export.test.ts.)
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { openDatabase } from '../../main/historian/database';
import { csvField, exportCsv } from '../../main/historian/export-csv';
import { Historian } from '../../main/historian/historian';
import { FakeClock } from '../../main/util/clock';
import type { Quality } from '../../shared/quality';
import { tempDir } from '../helpers/temp';

const GOOD: Quality = { level: 'good', reason: 'ok' };
const T0 = Date.UTC(2025, 0, 6, 6, 0, 0);

test('1. one line per sample: ISO 8601 UTC time, tag, value, units, quality; text escaped; tags in order at equal times', async () => {
  const { dir, cleanup } = tempDir();
  const db = openDatabase(join(dir, 'h.db'));
  const h = new Historian(db, new FakeClock(T0 + 60_000));
  try {
    h.registerTags([{ name: 'L1.Speed', units: 'packs/min' }, { name: 'L1.Running' }, { name: 'L1.Note, "quoted"', units: '°C' }]);
    h.markStart(T0);
    h.ingest([
      { tagId: 'L1.Speed', ts: T0 + 1002, sourceTs: T0 + 1000, value: 118.5, quality: GOOD },
      { tagId: 'L1.Running', ts: T0 + 1002, sourceTs: T0 + 1000, value: true, quality: GOOD },
      { tagId: 'L1.Note, "quoted"', ts: T0 + 1500, sourceTs: T0 + 1500, value: 'line 1\nline "2", end', quality: GOOD },
      { tagId: 'L1.Speed', ts: T0 + 2000, sourceTs: T0 + 2000, value: 0.1 + 0.2, quality: { level: 'uncertain', reason: 'stale' } },
      { tagId: 'L1.Speed', ts: T0 + 3000, sourceTs: T0 + 3000, value: 118.5, quality: { level: 'bad', reason: 'comm_failure' } },
    ]);
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const result = await exportCsv(h, { tagIds: ['L1.Speed', 'L1.Running', 'L1.Note, "quoted"'], from: T0, to: T0 + 60_000 }, out);
    const text = Buffer.concat(chunks).toString('utf8');
    assert.equal(
      text,
      [
        'timestamp,tag,value,units,quality',
        '2025-01-06T06:00:00.000Z,L1.Speed,,packs/min,bad:shutdown',
        '2025-01-06T06:00:00.000Z,L1.Running,,,bad:shutdown',
        '2025-01-06T06:00:00.000Z,"L1.Note, ""quoted""",,°C,bad:shutdown',
        '2025-01-06T06:00:01.002Z,L1.Speed,118.5,packs/min,good',
        '2025-01-06T06:00:01.002Z,L1.Running,true,,good',
        '2025-01-06T06:00:01.500Z,"L1.Note, ""quoted""","line 1\nline ""2"", end",°C,good',
        '2025-01-06T06:00:02.000Z,L1.Speed,0.30000000000000004,packs/min,uncertain:stale',
        '2025-01-06T06:00:03.000Z,L1.Speed,118.5,packs/min,bad:comm_failure',
        '',
      ].join('\n'),
    );
    assert.equal(result.rows, 8);
    assert.equal(result.bytes, Buffer.byteLength(text));
    assert.equal(csvField(' padded'), '" padded"');
  } finally {
    await h.close();
    db.close();
    cleanup();
  }
});
