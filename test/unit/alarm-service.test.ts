/**
 * The alarm service on a real SQLite file with fake time: coalesced pushes, the journal (search,
 * pages, CSV), the audit trail's records of each action, states and shelves across a restart,
 * and KPIs computed from the journal.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { EngineAlarm } from '../../main/alarms/alarm-engine';
import { computeKpis } from '../../main/alarms/alarm-kpis';
import { AlarmRefused, AlarmService, toCsv, type AlarmAuditRecord } from '../../main/alarms/alarm-service';
import { openDatabase } from '../../main/historian/database';
import { AuditTrail } from '../../main/security/audit-trail';
import { FakeClock } from '../../main/util/clock';
import type { AlarmDefinition, AlarmJournalEntry, AlarmStatus } from '../../shared/alarms';
import type { TagScalar } from '../../shared/types';
import { tempDir } from '../helpers/temp';

const ann = { user: 'ann', station: 'test', signatureId: null };

const tmp = tempDir();
after(() => tmp.cleanup());
let n = 0;

const defs: AlarmDefinition[] = [
  { id: 'VIB.H', type: 'high', tag: 'vib', limit: 4, deadband: 0.3, priority: 3, message: 'Vibration high', latched: false, onDelayS: 0, offDelayS: 0 },
  { id: 'JAM', type: 'discrete', tag: 'fault', equals: 101, priority: 2, message: 'Infeed jam', latched: true, onDelayS: 0, offDelayS: 0, area: 'Infeed' },
  { id: 'ESTOP', type: 'discrete', tag: 'estop', equals: false, priority: 1, message: 'E-stop, "pressed"', latched: false, onDelayS: 0, offDelayS: 0 },
];

function rig(file = join(tmp.dir, `alarms-${n++}.db`), clock = new FakeClock()) {
  const db = openDatabase(file);
  const audit = new AuditTrail(db);
  const pushes: AlarmStatus[][] = [];
  const audits: AlarmAuditRecord[] = [];
  const alarms: EngineAlarm[] = defs.map((def) => ({ def, device: 'plc', area: def.area ?? 'L1' }));
  const service = new AlarmService({
    db,
    clock,
    alarms,
    settings: { minShelveS: 5, maxShelveS: 3600, audibleUpToPriority: 2 },
    units: new Map([['vib', 'mm/s']]),
    emit: (s) => pushes.push(s),
    audit: (r) => {
      audits.push(r);
      audit.record(r);
    },
  });
  const value = (tagId: string, v: TagScalar) => service.ingest([{ tagId, value: v, quality: { level: 'good', reason: 'ok' }, sourceTs: clock.now(), ts: clock.now() }]);
  return { db, audit, service, clock, pushes, audits, value, file, close: () => (service.close(), db.close()) };
}

test('1. process changes are pushed coalesced: a burst within one frame is one push', () => {
  const r = rig();
  r.value('vib', 5);
  r.value('fault', 101);
  r.value('estop', false);
  assert.equal(r.pushes.length, 0, 'nothing pushed synchronously');
  r.clock.advance(0);
  assert.equal(r.pushes.length, 1);
  assert.deepEqual(r.pushes[0].map((s) => s.id).sort(), ['ESTOP', 'JAM', 'VIB.H']);
  r.value('vib', 1);
  r.clock.advance(10);
  assert.equal(r.pushes.length, 1, 'the next push waits for the frame interval');
  r.clock.advance(15);
  assert.equal(r.pushes.length, 2);
  assert.equal(r.pushes[1][0].state.type, 'rtnUnack');
  r.close();
});

test('2. actions: done and refused both in the journal (who, why) and in the audit trail', () => {
  const r = rig();
  r.value('vib', 5);
  r.value('fault', 101);
  r.clock.advance(1000);
  const result = r.service.acknowledge(['VIB.H', 'JAM', 'ESTOP'], ann, 'seen');
  assert.deepEqual(result.done, ['VIB.H', 'JAM']);
  assert.equal(result.refused[0].alarmId, 'ESTOP');
  assert.throws(() => r.service.shelve('VIB.H', ann, 'timed', 2, 'too short'), (e: unknown) => e instanceof AlarmRefused && /shortest shelve is 5 s/.test(e.message));
  r.service.shelve('VIB.H', ann, 'timed', 10, 'sensor check');
  assert.throws(() => r.service.reset('nope', ann), (e: unknown) => e instanceof AlarmRefused && e.notFound);
  const trail = r.audit.recent(10);
  assert.deepEqual(
    trail.map((a) => [a.action, a.target, a.outcome, a.user]).reverse(),
    [
      ['alarm.acknowledge', 'VIB.H', 'done', 'ann'],
      ['alarm.acknowledge', 'JAM', 'done', 'ann'],
      ['alarm.shelve', 'VIB.H', 'refused', 'ann'],
      ['alarm.shelve', 'VIB.H', 'done', 'ann'],
    ],
    '"acknowledge all" does not put the skipped ones on record; an unknown alarm is no record',
  );
  assert.match(trail[0].detail, /sensor check \(timed, until /);
  const page = r.service.journal({ from: 0, to: r.clock.now() + 1 }, 50);
  const ack = page.entries.find((e) => e.event === 'acknowledged' && e.alarmId === 'JAM')!;
  assert.deepEqual([ack.user, ack.text, ack.fromState, ack.toState, ack.area], ['ann', 'seen', 'unack', 'acked', 'Infeed']);
  r.clock.advance(10_000);
  assert.equal(r.service.list().find((s) => s.id === 'VIB.H')!.state.type, 'unack', 'shelve expired, still high: re-alarm');
  r.close();
});

test('3. journal: time range, tag, priority, text; newest first, in pages; CSV of a range', () => {
  const r = rig();
  for (let i = 0; i < 30; i++) {
    r.value('vib', 5);
    r.clock.advance(1000);
    r.value('vib', 1);
    r.clock.advance(1000);
  }
  r.value('estop', false);
  r.clock.advance(100);
  const all = { from: 0, to: r.clock.now() + 1 };
  const first = r.service.journal(all, 25);
  assert.equal(first.entries.length, 25);
  assert.equal(first.more, true);
  assert.equal(first.entries[0].alarmId, 'ESTOP');
  const second = r.service.journal(all, 25, first.entries.at(-1)!.id);
  const third = r.service.journal(all, 25, second.entries.at(-1)!.id);
  const ids = [...first.entries, ...second.entries, ...third.entries].map((e) => e.id);
  assert.equal(new Set(ids).size, 61, 'no line twice, none missing');
  assert.equal(third.more, false);
  assert.equal(r.service.journal({ ...all, tag: 'vib' }, 100).entries.length, 60);
  assert.equal(r.service.journal({ ...all, priorities: [1] }, 100).entries.length, 1);
  assert.equal(r.service.journal({ ...all, text: 'PRESSED' }, 100).entries.length, 1);
  assert.equal(r.service.journal({ ...all, text: '100%_' }, 100).entries.length, 0, 'LIKE wildcards are literal');
  const mid = r.service.journal({ from: all.from + 0, to: r.clock.now() - 30_000 }, 100);
  assert.ok(mid.entries.every((e) => e.ts < r.clock.now() - 30_000));
  const csv = r.service.journalCsv({ ...all, priorities: [1] });
  assert.equal(csv.rows, 1);
  const lines = csv.csv.trimEnd().split('\r\n');
  assert.equal(lines[0], 'time_utc,alarm,event,from_state,to_state,priority,priority_name,tag,area,device,value,user,text,message');
  assert.match(lines[1], /^\d{4}-\d\d-\d\dT[\d:.]+Z,ESTOP,activated,normal,unack,1,Urgent,estop,L1,plc,false,,,"E-stop, ""pressed"""$/);
  r.close();
});

test('4. CSV cells that a spreadsheet would run as formulas are defused; numbers stay numbers', () => {
  const e: AlarmJournalEntry = {
    id: 1, ts: 0, alarmId: 'A', event: 'commented', fromState: 'unack', toState: 'unack', priority: 2, tag: 't', area: 'L1', device: null,
    message: '=HYPERLINK("x")', value: -3.5, user: '@eve', text: '+1 call',
  };
  const row = toCsv([e]).split('\r\n')[1];
  assert.equal(row, `1970-01-01T00:00:00.000Z,A,commented,unack,unack,2,High,t,L1,,-3.5,'@eve,'+1 call,"'=HYPERLINK(""x"")"`);
});

test('5. a restart keeps states, shelves and comments; the journal carries on', () => {
  const clock = new FakeClock();
  const a = rig(undefined, clock);
  a.value('vib', 5);
  a.value('fault', 101);
  a.value('fault', 0);
  a.service.shelve('VIB.H', ann, 'timed', 600, 'bearing being replaced');
  a.service.comment('JAM', ann, 'jam at station 3');
  a.close();

  clock.advance(60_000);
  const b = rig(a.file, clock);
  const list = b.service.list();
  const vib = list.find((s) => s.id === 'VIB.H')!;
  const jam = list.find((s) => s.id === 'JAM')!;
  assert.equal(vib.state.type, 'shelved');
  assert.equal(jam.state.type, 'latched');
  assert.equal(jam.lastComment?.text, 'jam at station 3');
  assert.equal(jam.held, true, 'held until a value confirms it');
  clock.advance(540_000);
  assert.equal(b.service.list().find((s) => s.id === 'VIB.H')!.state.type, 'unack', 'expired at its original time, still active: re-alarm');
  const events = b.service.journal({ from: 0, to: clock.now() + 1 }, 100).entries.map((e) => `${e.alarmId}:${e.event}`);
  assert.ok(events.includes('VIB.H:shelveExpired') && events.includes('JAM:commented') && events.includes('VIB.H:shelved'));
  b.close();
});

test('6. a shelve whose saved state cannot be read ends unshelved, on record', () => {
  const clock = new FakeClock();
  const a = rig(undefined, clock);
  a.value('vib', 5);
  a.service.shelve('VIB.H', ann, 'timed', 600, 'noisy');
  a.close();
  const db = openDatabase(a.file);
  db.prepare("UPDATE alarm_state SET state = '{\"type\":\"shelved\",\"until\":\"soon\"}' WHERE alarm_id = 'VIB.H'").run();
  db.close();
  const b = rig(a.file, clock);
  assert.equal(b.service.list().find((s) => s.id === 'VIB.H')!.state.type, 'unack');
  const last = b.service.journal({ from: 0, to: clock.now() + 1 }, 1).entries[0];
  assert.deepEqual([last.event, last.fromState, last.toState], ['unshelved', 'shelved', 'unack']);
  assert.match(last.text, /could not be recovered/);
  b.close();
});

test('7. KPIs from the journal: rates, flood, peak, top 10, chattering, priorities', () => {
  const r = rig();
  const start = r.clock.now();
  // 10 min: VIB.H chatters 12 times (a flood period), then 50 min with one E-stop
  for (let i = 0; i < 12; i++) {
    r.value('vib', 5);
    r.clock.advance(4000);
    r.value('vib', 1);
    r.clock.advance(4000);
    r.service.acknowledge(['VIB.H'], ann);
  }
  r.clock.advance(600_000 - 96_000 + 1000);
  r.value('estop', false);
  r.clock.advance(3_600_000 - 601_000);
  const k = r.service.kpis(start, start + 3_600_000);
  assert.equal(k.total, 13);
  assert.equal(k.perHour, 13);
  assert.equal(k.per10Min, 2.2);
  assert.equal(k.periods, 6);
  assert.equal(k.floodPeriods, 1);
  assert.equal(k.floodPercent, 16.7);
  assert.equal(k.peak10MinCount, 12);
  assert.deepEqual(k.top.map((t) => [t.alarmId, t.count, t.percent]), [['VIB.H', 12, 92.3], ['ESTOP', 1, 7.7]]);
  assert.deepEqual(k.chattering.map((c) => [c.alarmId, c.maxPerMinute]), [['VIB.H', 8]]);
  assert.deepEqual(k.priorityDistribution.map((p) => p.count), [1, 0, 12, 0]);
  assert.deepEqual(k.stale, []);
  r.close();
});

test('8. stale: active more than 24 h, also when it became active before the range', () => {
  const h = 3_600_000;
  const k = computeKpis(
    30 * h,
    60 * h,
    [],
    [
      { ts: 0, alarmId: 'OLD', message: 'old', active: true },
      { ts: 40 * h, alarmId: 'SHORT', message: 'short', active: true },
      { ts: 41 * h, alarmId: 'SHORT', message: 'short', active: false },
      { ts: 31 * h, alarmId: 'LONG', message: 'long', active: true },
      { ts: 58 * h, alarmId: 'LONG', message: 'long', active: false },
    ],
  );
  assert.deepEqual(k.stale.map((s) => [s.alarmId, s.hours]), [['OLD', 60], ['LONG', 27]]);
  assert.equal(k.total, 0);
  assert.equal(k.floodPercent, 0);
});

test('9. the journal search uses its indexes (query plan)', () => {
  const r = rig();
  const plan = (sql: string, ...p: unknown[]) => (r.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...p) as { detail: string }[]).map((x) => x.detail).join(' | ');
  assert.match(plan('SELECT * FROM alarm_journal WHERE ts >= ? AND ts < ? AND tag = ? ORDER BY ts DESC, id DESC LIMIT 10', 0, 1, 'x'), /USING INDEX alarm_journal_(tag_ts|ts)/);
  assert.match(plan('SELECT ts FROM alarm_journal WHERE annunciated = 1 AND ts >= ? AND ts < ? ORDER BY ts', 0, 1), /alarm_journal_annunciated_ts/);
  r.close();
});
