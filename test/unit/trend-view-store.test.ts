/**
 * Saved trend views: listed by name whatever the case, one name one view (replace keeps the
 * id), pens checked against the project, kept across restarts, a row that does not read back
 * left out with a warning, and a newer schema refused untouched.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openDatabase } from '../../main/historian/database';
import { TrendViewRefused, TrendViewStore, type TrendViewInput } from '../../main/trends/trend-view-store';
import { FakeClock } from '../../main/util/clock';
import type { Logger } from '../../main/util/log';
import { ModuleVersionError } from '../../main/util/module-migrations';
import { tempDir } from '../helpers/temp';

const tmp = tempDir();
after(() => tmp.cleanup());

const TAGS = new Set(['L1.Speed', 'L1.MotorCurrent', 'L1.BearingTemp']);
let n = 0;

function capture(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const none = () => undefined;
  return { warnings, debug: none, info: none, error: none, warn: (m) => warnings.push(m) };
}

function rig(file = join(tmp.dir, `views-${n++}.db`), maxViews?: number) {
  const db = openDatabase(file);
  const clock = new FakeClock(1_750_000_000_000);
  const log = capture();
  const store = new TrendViewStore(db, clock, { isTag: (id) => TAGS.has(id), maxViews, log });
  return { file, db, clock, log, store };
}

const view = (name: string, over: Partial<TrendViewInput> = {}): TrendViewInput => ({
  name,
  pens: [{ tagId: 'L1.Speed' }, { tagId: 'L1.MotorCurrent', color: '#aa3300' }],
  range: { kind: 'live', spanMs: 600_000 },
  replace: false,
  ...over,
});

function refusal(code: TrendViewRefused['code'], message: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof TrendViewRefused, `expected TrendViewRefused, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.match(e.message, message);
    return true;
  };
}

test('1. saved views come back by name without regard to case, with who and when', () => {
  const r = rig();
  const b = r.store.save(view('beta'), 'anna').view;
  r.clock.advance(5000);
  r.store.save(view('Alpha', { range: { kind: 'preset', preset: 'shift' } }), 'ben');
  r.store.save(view('gamma', { range: { kind: 'fixed', from: 1000, to: 2000 } }), 'anna');
  const list = r.store.list();
  assert.deepEqual(list.map((v) => v.name), ['Alpha', 'beta', 'gamma']);
  assert.equal(b.savedAt, 1_750_000_000_000);
  assert.equal(list[0].savedAt, 1_750_000_005_000);
  assert.equal(list[0].savedBy, 'ben');
  assert.deepEqual(list[0].range, { kind: 'preset', preset: 'shift' });
  assert.deepEqual(list[1].pens, [{ tagId: 'L1.Speed' }, { tagId: 'L1.MotorCurrent', color: '#aa3300' }]);
  assert.deepEqual(list[2].range, { kind: 'fixed', from: 1000, to: 2000 });
  assert.equal(r.store.save(view('  padded  '), 'anna').view.name, 'padded', 'the name is trimmed');
  r.db.close();
});

test('2. an existing name is refused whatever its case; replace overwrites it in place', () => {
  const r = rig();
  const first = r.store.save(view('Drive'), 'anna').view;
  assert.throws(() => r.store.save(view('DRIVE'), 'ben'), refusal('refused', /a trend view named "Drive" exists; save with replace to overwrite it/));
  assert.equal(r.store.list().length, 1);
  assert.deepEqual(r.store.list()[0].pens, first.pens, 'untouched by the refusal');

  r.clock.advance(60_000);
  const { view: second, replaced } = r.store.save(view('drive', { pens: [{ tagId: 'L1.BearingTemp' }], replace: true }), 'ben');
  assert.equal(second.id, first.id, 'same id');
  assert.deepEqual(replaced?.pens, first.pens, 'the view it replaced');
  const list = r.store.list();
  assert.equal(list.length, 1);
  assert.deepEqual(list[0], { id: first.id, name: 'drive', pens: [{ tagId: 'L1.BearingTemp' }], range: first.range, savedAt: first.savedAt + 60_000, savedBy: 'ben' });
  // replace on a new name is simply a save
  assert.equal(r.store.save(view('Other', { replace: true }), 'ben').replaced, null);
  assert.equal(r.store.list().length, 2);
  r.db.close();
});

test('3. pens: only project tags, each once', () => {
  const r = rig();
  assert.throws(() => r.store.save(view('x', { pens: [{ tagId: 'L1.Speed' }, { tagId: 'L9.Nope' }] }), 'a'), refusal('not_found', /unknown tag "L9\.Nope"/));
  assert.throws(() => r.store.save(view('x', { pens: [{ tagId: 'L1.Speed' }, { tagId: 'L1.Speed', color: '#000000' }] }), 'a'), refusal('bad_request', /"L1\.Speed" is on the view twice/));
  assert.throws(() => r.store.save(view('x', { pens: [] }), 'a'), refusal('bad_request', /1 to 16 pens/));
  assert.deepEqual(r.store.list(), [], 'nothing saved');
  r.db.close();
});

test('4. delete says whether there was such a view', () => {
  const r = rig();
  const a = r.store.save(view('A'), 'x').view;
  const b = r.store.save(view('B'), 'x').view;
  assert.equal(r.store.delete(a.id), 'A');
  assert.equal(r.store.delete(a.id), null);
  assert.equal(r.store.delete(9999), null);
  assert.deepEqual(r.store.list().map((v) => v.id), [b.id]);
  // the name is free again
  assert.equal(r.store.save(view('a'), 'x').replaced, null);
  r.db.close();
});

test('5. views are kept across closing and opening the database again', () => {
  const r = rig();
  const saved = r.store.save(view('Kept', { range: { kind: 'fixed', from: 5, to: 10 } }), 'anna').view;
  r.db.close();
  const again = rig(r.file);
  assert.deepEqual(again.store.list(), [saved]);
  assert.throws(() => again.store.save(view('kept'), 'ben'), refusal('refused', /exists/), 'still unique after reopening');
  again.db.close();
});

test('6. a row that does not read back is left out with a warning naming it, never thrown', () => {
  const r = rig();
  const good = r.store.save(view('Good'), 'x').view;
  const bad = r.store.save(view('Bad JSON'), 'x').view;
  const badRange = r.store.save(view('Bad range'), 'x').view;
  const badPen = r.store.save(view('Bad pen'), 'x').view;
  r.db.prepare('UPDATE trend_view SET pens = ? WHERE id = ?').run('[{"tagId": "L1.Speed"', bad.id);
  r.db.prepare('UPDATE trend_view SET range = ? WHERE id = ?').run('{"kind":"live","spanMs":5}', badRange.id);
  r.db.prepare('UPDATE trend_view SET pens = ? WHERE id = ?').run('[{"tagId":"L1.Speed","color":"red"}]', badPen.id);
  let list: ReturnType<TrendViewStore['list']> = [];
  assert.doesNotThrow(() => (list = r.store.list()));
  assert.deepEqual(list.map((v) => v.id), [good.id]);
  assert.equal(r.log.warnings.length, 3);
  for (const id of [bad.id, badRange.id, badPen.id]) assert.ok(r.log.warnings.some((w) => w.includes(`trend view ${id} `)), `a warning names view ${id}`);
  assert.ok(r.log.warnings.some((w) => /range/.test(w) && w.includes(`${badRange.id}`)));
  assert.equal(r.store.get(bad.id), null);
  r.db.close();
});

test('7. a trend_views schema newer than this build is refused and left untouched', () => {
  const r = rig();
  r.store.save(view('Future'), 'x');
  r.db.prepare("UPDATE schema_module SET version = 7 WHERE module = 'trend_views'").run();
  r.db.close();
  const db = openDatabase(r.file);
  try {
    assert.throws(
      () => new TrendViewStore(db, new FakeClock()),
      (e: unknown) => e instanceof ModuleVersionError && e.module === 'trend_views' && e.found === 7 && e.supported === 1,
    );
    assert.equal(db.prepare("SELECT version FROM schema_module WHERE module = 'trend_views'").pluck().get(), 7);
    assert.deepEqual(db.prepare('SELECT name FROM trend_view').pluck().all(), ['Future']);
  } finally {
    db.close();
  }
});

test('8. at most maxViews views: one more is refused, replacing one is not', () => {
  const r = rig(undefined, 3);
  for (const name of ['a', 'b', 'c']) r.store.save(view(name), 'x');
  assert.throws(() => r.store.save(view('d'), 'x'), refusal('refused', /already 3 trend views \(at most 3\)/));
  assert.equal(r.store.save(view('B', { replace: true, pens: [{ tagId: 'L1.BearingTemp' }] }), 'x').view.name, 'B');
  assert.equal(r.store.list().length, 3);
  r.db.close();
});
