/**
 * The trends methods as the runtime serves them: history.trend for several pens (order kept,
 * raw when it fits, min/max when not, one flush), saved views with typed refusals and their
 * audit records, and the project's shift starts and normal bands in app.info / tags.list.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { RuntimeHost } from '../../main/app/runtime-host';
import { startRuntime } from '../../main/app/runtime';
import { openDatabase } from '../../main/historian/database';
import { Historian } from '../../main/historian/historian';
import { FakeClock } from '../../main/util/clock';
import type { ApiErrorData, AppInfo, HistorySeries } from '../../shared/api';
import type { HistoryTrend, TrendView } from '../../shared/trend-api';
import type { AuditEntry, TagInfo } from '../../shared/types';
import { tempDir } from '../helpers/temp';
import { as } from '../helpers/runtime-session';

const GOOD = { level: 'good', reason: 'ok' } as const;
const S = 1000;
const T0 = Math.floor(Date.now() / 1000) * 1000 - 2 * 3_600_000;
const N = 200;

const tmp = tempDir();
let rt: RuntimeHost;

const project = `version: 1
name: Trend test
devices:
  - { id: plc, protocol: modbus-tcp, host: 127.0.0.1, enabled: false }
tags:
  - { id: A, device: plc, address: HR0, dataType: float32, normal: { low: 10, high: 90 } }
  - { id: B, device: plc, address: HR2, dataType: float32 }
  - { id: C, device: plc, address: HR4, dataType: float32, normal: { high: 5 } }
shifts: ["07:00", "19:00"]
`;

async function call<T>(method: string, params: unknown): Promise<T> {
  const reply = await (await as(rt, ['operator'])).conn.handle(method, params);
  if (!reply.ok) throw new Error(`${method}: ${reply.error.code}: ${reply.error.message}`);
  return reply.result as T;
}

async function fail(method: string, params: unknown): Promise<ApiErrorData> {
  const reply = await (await as(rt, ['operator'])).conn.handle(method, params);
  assert.equal(reply.ok, false, `${method} should fail`);
  return (reply as { ok: false; error: ApiErrorData }).error;
}

before(async () => {
  // History written before the runtime starts: A rises 0..199, B falls 1000..801, one sample a second.
  const db = openDatabase(join(tmp.dir, 'data', 'lineside.db'));
  const h = new Historian(db, new FakeClock(T0 + N * S));
  h.registerTags(['A', 'B', 'C']);
  for (let i = 0; i < N; i++) {
    const ts = T0 + i * S;
    h.ingest([
      { tagId: 'A', value: i, quality: GOOD, ts, sourceTs: ts },
      { tagId: 'B', value: 1000 - i, quality: GOOD, ts, sourceTs: ts },
    ]);
  }
  await h.flush();
  await h.close();
  db.close();
  writeFileSync(join(tmp.dir, 'project.yaml'), project);
  rt = await startRuntime({ projectFile: join(tmp.dir, 'project.yaml'), dataDir: join(tmp.dir, 'data'), shell: 'headless' });
});

after(async () => {
  await rt?.close();
  tmp.cleanup();
});

test('1. history.trend: one series per tag in the order asked, raw when it fits', async () => {
  const r = await call<HistoryTrend>('history.trend', { tagIds: ['B', 'A', 'C'], from: T0, to: T0 + N * S, maxPoints: 1000 });
  assert.equal(r.from, T0);
  assert.equal(r.to, T0 + N * S);
  assert.deepEqual(r.series.map((s) => s.tagId), ['B', 'A', 'C']);
  const [b, a, c] = r.series;
  assert.equal(a.decimated, false);
  assert.equal(a.t.length, N);
  assert.deepEqual(a.v.slice(0, 3), [0, 1, 2]);
  assert.equal(a.t[5], T0 + 5 * S);
  assert.deepEqual(b.v.slice(-2), [1000 - N + 2, 1000 - N + 1]);
  assert.deepEqual([c.t, c.v, c.decimated], [[], [], false], 'a tag with no history: an empty series');
});

test('2. history.trend: min and max per bucket when there are more samples than points', async () => {
  const r = await call<HistoryTrend>('history.trend', { tagIds: ['A', 'B'], from: T0, to: T0 + N * S, maxPoints: 20 });
  for (const s of r.series as HistorySeries[]) {
    assert.equal(s.decimated, true, s.tagId);
    assert.ok(s.t.length <= 20 && s.t.length >= 10, `${s.tagId}: ${s.t.length} points`);
    for (let i = 1; i < s.t.length; i++) assert.ok(s.t[i] > s.t[i - 1], 'in time order');
  }
  const a = r.series[0].v as number[];
  assert.equal(Math.min(...a), 0, 'the lowest sample survives');
  assert.equal(Math.max(...a), N - 1, 'the highest sample survives');
  assert.equal(r.series[1].tagId, 'B');
  assert.equal(Math.max(...(r.series[1].v as number[])), 1000);
});

test('3. history.trend: an unknown tag is not_found, named; params are checked', async () => {
  const e = await fail('history.trend', { tagIds: ['A', 'L9.Nope'], from: T0, to: T0 + S, maxPoints: 100 });
  assert.equal(e.code, 'not_found');
  assert.match(e.message, /unknown tag "L9\.Nope"/);
  assert.equal(e.context?.tagId, 'L9.Nope');
  assert.equal((await fail('history.trend', { tagIds: ['A'], from: T0 + S, to: T0, maxPoints: 100 })).code, 'bad_request');
  assert.equal((await fail('history.trend', { tagIds: [], from: T0, to: T0 + S, maxPoints: 100 })).code, 'bad_request');
});

test('4. trend views through the API: saved, listed, refused by name, replaced, deleted, each on record', async () => {
  const range = { kind: 'preset', preset: '8h' } as const;
  const saved = await call<TrendView>('trendViews.save', { name: 'Drive', pens: [{ tagId: 'A' }, { tagId: 'B', color: '#112233' }], range });
  assert.equal(saved.savedBy, 'operator');
  assert.ok(Math.abs(saved.savedAt - Date.now()) < 60_000);
  assert.deepEqual((await call<TrendView[]>('trendViews.list', {})).map((v) => v.name), ['Drive']);

  const dup = await fail('trendViews.save', { name: 'drive', pens: [{ tagId: 'A' }], range });
  assert.equal(dup.code, 'refused');
  assert.match(dup.message, /a trend view named "Drive" exists; save with replace to overwrite it/);
  const unknown = await fail('trendViews.save', { name: 'X', pens: [{ tagId: 'Z9' }], range });
  assert.deepEqual([unknown.code, unknown.context?.tagId], ['not_found', 'Z9']);
  assert.equal((await fail('trendViews.save', { name: 'X', pens: [{ tagId: 'A' }, { tagId: 'A' }], range })).code, 'bad_request');
  assert.equal((await fail('trendViews.save', { name: ' ', pens: [{ tagId: 'A' }], range })).code, 'bad_request');

  const replaced = await call<TrendView>('trendViews.save', { name: 'drive', pens: [{ tagId: 'C' }], range, replace: true });
  assert.equal(replaced.id, saved.id);
  const audit = await call<AuditEntry[]>('audit.recent', { limit: 10 });
  const saves = audit.filter((a) => a.action === 'trendView.save');
  assert.equal(saves.length, 2, 'refusals are not saves');
  assert.deepEqual([saves[0].target, saves[0].outcome, saves[0].user], ['drive', 'done', 'operator']);
  assert.deepEqual(saves[0].newValue, { pens: [{ tagId: 'C' }], range });
  assert.deepEqual(saves[0].oldValue, { pens: [{ tagId: 'A' }, { tagId: 'B', color: '#112233' }], range });

  assert.deepEqual(await call('trendViews.delete', { id: saved.id }), { deleted: true });
  assert.deepEqual(await call('trendViews.delete', { id: saved.id }), { deleted: false });
  assert.deepEqual(await call('trendViews.list', {}), []);
  const deletes = (await call<AuditEntry[]>('audit.recent', { limit: 10 })).filter((a) => a.action === 'trendView.delete');
  assert.equal(deletes.length, 1, 'deleting nothing is not on record');
  assert.deepEqual([deletes[0].target, deletes[0].outcome], ['drive', 'done']);
});

test('5. app.info carries the shift starts; tags.list the normal bands', async () => {
  const info = await call<AppInfo>('app.info', {});
  assert.deepEqual(info.shiftStarts, ['07:00', '19:00']);
  const tags = await call<TagInfo[]>('tags.list', {});
  const band = (id: string) => {
    const t = tags.find((x) => x.id === id)!;
    return [t.normalLow, t.normalHigh];
  };
  assert.deepEqual(band('A'), [10, 90]);
  assert.deepEqual(band('B'), [undefined, undefined]);
  assert.deepEqual(band('C'), [undefined, 5]);
});
