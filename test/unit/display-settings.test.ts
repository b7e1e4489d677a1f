/**
 * The project's `display:` section: dates and times in one format on every screen (ISO and 24 h
 * by default, a locale's own when the project says so), and the Overview's line graphic, whose
 * tags are checked with located errors like every other reference in the project file.
 */
process.env.TZ = 'Europe/Berlin';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseProjectText, ProjectFileError } from '../../main/config/project-loader';
import { formatDate, formatDateTime, formatDayMonth, formatTime, setDateTimeSettings } from '../../renderer/ui/datetime';
import { repoRoot } from '../helpers/temp';

const demoText = readFileSync(join(repoRoot(), 'projects', 'demo-line.yaml'), 'utf8');
const T = new Date(2026, 11, 4, 14, 5, 9).getTime();

test('dates and times: ISO and 24 h by default, the locale\'s own when set, 12 h only when asked', () => {
  setDateTimeSettings({ dateFormat: 'iso', locale: null, hour12: false });
  assert.equal(formatDateTime(T), '2026-12-04 14:05:09');
  assert.equal(formatDateTime(T, false), '2026-12-04 14:05');
  assert.equal(formatDayMonth(T), '12-04');
  setDateTimeSettings({ dateFormat: 'locale', locale: 'de-DE', hour12: false });
  assert.equal(formatDate(T), '04.12.2026');
  assert.equal(formatTime(T), '14:05:09');
  assert.equal(formatDayMonth(T), '04.12.');
  setDateTimeSettings({ dateFormat: 'locale', locale: 'en-GB', hour12: false });
  assert.equal(formatDateTime(T, false), '04/12/2026 14:05');
  setDateTimeSettings({ dateFormat: 'locale', locale: 'en-US', hour12: true });
  assert.equal(formatDate(T), '12/04/2026');
  assert.match(formatTime(T), /^02:05:09\s?PM$/);
  setDateTimeSettings({ dateFormat: 'iso', locale: null, hour12: false });
  assert.equal(formatTime(new Date(2026, 11, 4, 0, 7, 3).getTime()), '00:07:03');
});

test('the demo project has a line graphic of four units; each value names a tag of the project', () => {
  const p = parseProjectText(demoText, 'demo-line.yaml');
  assert.deepEqual(
    p.display.graphic.map((u) => u.id),
    ['infeed', 'filler', 'drive', 'outfeed'],
  );
  const tags = new Set(p.tags.map((t) => t.id));
  for (const u of p.display.graphic) for (const v of u.values) assert.ok(tags.has(typeof v === 'string' ? v : v.tag));
  assert.equal(p.display.dateFormat, 'iso');
});

function issuesOf(text: string): { path: string; line: number | null; message: string }[] {
  try {
    parseProjectText(text, 'demo-line.yaml');
  } catch (err) {
    assert.ok(err instanceof ProjectFileError, String(err));
    return err.issues;
  }
  assert.fail('the project was accepted');
}

test('a graphic naming an unknown tag, a duplicate unit and an unknown locale are refused where they stand', () => {
  const text = demoText
    .replace('{ tag: L1.FaultCode, label: Fault }', '{ tag: L1.FaultCod, label: Fault }')
    .replace('{ id: outfeed, label: Outfeed', '{ id: drive, label: Outfeed');
  const issues = issuesOf(text);
  const byPath = new Map(issues.map((i) => [i.path, i]));
  const line = (needle: string) => demoText.split('\n').findIndex((l) => l.includes(needle)) + 1;
  assert.match(byPath.get('display.graphic[1].values[0].tag')?.message ?? '', /unknown tag "L1.FaultCod"/);
  assert.equal(byPath.get('display.graphic[1].values[0].tag')?.line, line('{ id: filler'));
  assert.match(byPath.get('display.graphic[3].id')?.message ?? '', /duplicate unit id "drive"/);
  // (a section that does not parse is reported alone: references are checked on a valid file)
  const locale = issuesOf(demoText.replace('  dateFormat: iso\n', '  dateFormat: iso\n  locale: xx-notalocale-123456789\n'));
  assert.match(locale.find((i) => i.path === 'display.locale')?.message ?? '', /not a locale/);
  assert.equal(locale.find((i) => i.path === 'display.locale')?.line, line('  dateFormat: iso') + 1);
  // more than four values a unit: an overview, not a tag list
  const many = issuesOf(demoText.replace('values: [{ tag: L1.GoodCount, label: Good }, { tag: L1.RejectCount, label: Rejected }]', 'values: [L1.GoodCount, L1.RejectCount, L1.Speed, L1.State, L1.Vibration]'));
  assert.match(many.find((i) => i.path === 'display.graphic[3].values')?.message ?? '', /at most 4/);
});
