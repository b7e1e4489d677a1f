/**
 * The alarm engine with fake time: every alarm type, on/off delays, deadbands, quality holds,
 * suppression by design, shelving (timed, one-shot, expiry, re-alarm), latching, restore after
 * a restart. Values arrive as the tag bus delivers them; the clock only moves when told.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AlarmEngine, parseState, type EngineAlarm, type JournalRecord } from '../../main/alarms/alarm-engine';
import { BaselineEvaluator } from '../../main/alarms/evaluators';
import { FakeClock } from '../../main/util/clock';
import type { AlarmDefinition, AlarmSettings, AlarmStatus } from '../../shared/alarms';
import type { Quality } from '../../shared/quality';
import type { TagScalar, TagValue } from '../../shared/types';

const GOOD: Quality = { level: 'good', reason: 'ok' };
const BAD: Quality = { level: 'bad', reason: 'comm_failure' };
const STALE: Quality = { level: 'uncertain', reason: 'stale' };
const settings: AlarmSettings = { minShelveS: 5, maxShelveS: 3600, audibleUpToPriority: 2 };

type Def = Partial<AlarmDefinition> & Pick<AlarmDefinition, 'id' | 'type'> & Record<string, unknown>;
function alarm(d: Def): EngineAlarm {
  const def = { priority: 2, message: d.id, latched: false, onDelayS: 0, offDelayS: 0, ...d } as AlarmDefinition;
  return { def, device: 'plc', area: 'L1' };
}

class Rig {
  readonly clock = new FakeClock();
  readonly engine: AlarmEngine;
  readonly journal: JournalRecord[] = [];
  constructor(defs: Def[], s: AlarmSettings = settings) {
    this.engine = new AlarmEngine(defs.map(alarm), s, this.clock);
  }
  value(tagId: string, value: TagScalar | null, quality: Quality = GOOD): this {
    const now = this.clock.now();
    const v: TagValue = { tagId, value, quality, sourceTs: now, ts: now };
    this.engine.ingest([v]);
    return this;
  }
  /** feeds the value every `everyMs` for `ms` (a scan), advancing time */
  hold(tagId: string, value: TagScalar | ((t: number) => TagScalar), ms: number, everyMs = 500): this {
    for (let t = 0; t < ms; t += everyMs) {
      this.value(tagId, typeof value === 'function' ? value(t) : value);
      this.clock.advance(everyMs);
    }
    return this;
  }
  advance(ms: number): this {
    this.clock.advance(ms);
    return this;
  }
  status(id: string): AlarmStatus {
    return this.engine.status(id)!;
  }
  state(id: string): string {
    return this.status(id).state.type;
  }
  events(): string[] {
    this.journal.push(...this.engine.takeJournal());
    return this.journal.map((j) => `${j.event}:${j.from}>${j.to}`);
  }
}

test('1. high: raises at the limit, clears only below limit − deadband; every change journaled with its value', () => {
  const r = new Rig([{ id: 'H', type: 'high', tag: 'x', limit: 10, deadband: 1 }]);
  r.value('x', 9.9);
  assert.equal(r.state('H'), 'normal');
  r.value('x', 10);
  assert.equal(r.state('H'), 'unack');
  assert.equal(r.status('H').value, 10);
  r.value('x', 9.5); // inside the deadband: still active
  assert.equal(r.status('H').active, true);
  r.value('x', 8.9);
  assert.equal(r.state('H'), 'rtnUnack');
  assert.deepEqual(r.events(), ['activated:normal>unack', 'cleared:unack>rtnUnack']);
  assert.equal(r.journal[0].value, 10);
});

test('2. low / low-low mirror high, with their own limits', () => {
  const r = new Rig([
    { id: 'L', type: 'low', tag: 'x', limit: 5, deadband: 0.5 },
    { id: 'LL', type: 'lowLow', tag: 'x', limit: 2, deadband: 0 },
  ]);
  r.value('x', 4.9);
  assert.deepEqual([r.state('L'), r.state('LL')], ['unack', 'normal']);
  r.value('x', 2);
  assert.deepEqual([r.state('L'), r.state('LL')], ['unack', 'unack']);
  r.value('x', 5.2); // LL clears (no deadband), L still within 5 + 0.5
  assert.deepEqual([r.status('L').active, r.status('LL').active], [true, false]);
  r.value('x', 5.6);
  assert.equal(r.status('L').active, false);
});

test('3. on-delay: the condition must hold for the whole delay; one sample back inside restarts it', () => {
  const r = new Rig([{ id: 'H', type: 'high', tag: 'x', limit: 10, deadband: 0, onDelayS: 5 }]);
  r.value('x', 11).advance(4000);
  assert.equal(r.state('H'), 'normal');
  r.value('x', 9).advance(2000); // dipped back: pending raise cancelled
  assert.equal(r.state('H'), 'normal');
  r.value('x', 12).advance(4999);
  assert.equal(r.state('H'), 'normal');
  r.advance(1);
  assert.equal(r.state('H'), 'unack');
  assert.deepEqual(r.status('H').state, { type: 'unack', since: r.clock.now() }, 'since: when the delay elapsed');
});

test('4. off-delay: a return to normal counts only after it lasted the delay', () => {
  const r = new Rig([{ id: 'H', type: 'high', tag: 'x', limit: 10, deadband: 0, offDelayS: 3 }]);
  r.value('x', 11);
  r.value('x', 9).advance(2000);
  r.value('x', 11).advance(5000); // back above: clear cancelled
  assert.equal(r.status('H').active, true);
  r.value('x', 9).advance(3000);
  assert.equal(r.status('H').active, false);
  assert.equal(r.state('H'), 'rtnUnack');
});

test('5. bad or uncertain values never raise or clear a process alarm: the state is held and marked held', () => {
  const r = new Rig([{ id: 'H', type: 'high', tag: 'x', limit: 10, deadband: 0, onDelayS: 2 }]);
  r.value('x', 50, BAD).advance(5000);
  assert.equal(r.state('H'), 'normal', 'a bad 50 does not raise');
  r.value('x', 11).advance(2000);
  assert.equal(r.state('H'), 'unack');
  r.value('x', 0, STALE).advance(10_000);
  assert.equal(r.state('H'), 'unack', 'an uncertain 0 does not clear');
  assert.equal(r.status('H').held, true);
  r.value('x', 12, BAD).value('x', 9, BAD);
  assert.equal(r.status('H').active, true);
  r.value('x', 11);
  assert.equal(r.status('H').held, false);
  // a pending raise does not survive a bad value either
  const q = new Rig([{ id: 'H', type: 'high', tag: 'x', limit: 10, deadband: 0, onDelayS: 2 }]);
  q.value('x', 11).advance(1000);
  q.value('x', 11, BAD).advance(1000);
  q.value('x', 11).advance(1500);
  assert.equal(q.state('H'), 'normal', 'the delay restarted after the bad value');
  q.advance(500);
  assert.equal(q.state('H'), 'unack');
});

test('6. deviation from a setpoint tag: either side, one side, held when the setpoint is not good', () => {
  const r = new Rig([
    { id: 'DEV', type: 'deviation', tag: 'pv', setpointTag: 'sp', limit: 5, deadband: 1, direction: 'both' },
    { id: 'BELOW', type: 'deviation', tag: 'pv', setpointTag: 'sp', limit: 5, deadband: 0, direction: 'below' },
  ]);
  r.value('sp', 100).value('pv', 104);
  assert.deepEqual([r.state('DEV'), r.state('BELOW')], ['normal', 'normal']);
  r.value('pv', 106);
  assert.deepEqual([r.state('DEV'), r.state('BELOW')], ['unack', 'normal']);
  r.value('pv', 94.5);
  assert.deepEqual([r.status('DEV').active, r.status('BELOW').active], [true, true]);
  r.value('sp', 96); // the setpoint moves: |94.5 − 96| = 1.5
  assert.deepEqual([r.status('DEV').active, r.status('BELOW').active], [false, false]);
  r.value('sp', 0, BAD).value('pv', 50);
  assert.equal(r.status('DEV').active, false, 'no verdict against a bad setpoint');
  assert.equal(r.status('DEV').held, true);
});

test('7. rate of change over its window, not from single samples', () => {
  const r = new Rig([{ id: 'ROC', type: 'rateOfChange', tag: 'x', limitPerS: 1, windowS: 10, deadband: 0, direction: 'above' }]);
  // a one-sample spike of +3 followed by the old value: over 10 s that is no rate at all
  r.hold('x', 0, 10_000, 1000);
  r.value('x', 3).advance(1000);
  r.hold('x', 0, 10_000, 1000);
  assert.equal(r.events().filter((e) => e.startsWith('activated')).length, 0);
  // rising 1.5 per second for 10 s
  r.hold('x', (t) => (t / 1000) * 1.5, 12_000, 1000);
  assert.equal(r.state('ROC'), 'unack');
  r.hold('x', 18, 12_000, 1000);
  assert.equal(r.status('ROC').active, false);
  // falling does not count for "above"
  const f = new Rig([{ id: 'ROC', type: 'rateOfChange', tag: 'x', limitPerS: 1, windowS: 10, deadband: 0, direction: 'above' }]);
  f.hold('x', (t) => 100 - (t / 1000) * 5, 15_000, 1000);
  assert.equal(f.state('ROC'), 'normal');
});

test('8. discrete: equals a state, differs from one, a bit set; booleans and 0/1 compare', () => {
  const r = new Rig([
    { id: 'JAM', type: 'discrete', tag: 'fault', equals: 101 },
    { id: 'ESTOP', type: 'discrete', tag: 'estopOk', equals: false },
    { id: 'NOTAUTO', type: 'discrete', tag: 'mode', notEquals: 'AUTO' },
    { id: 'BIT3', type: 'discrete', tag: 'word', bit: 3 },
  ]);
  r.value('fault', 0).value('estopOk', 1).value('mode', 'AUTO').value('word', 0b0111);
  assert.deepEqual(['JAM', 'ESTOP', 'NOTAUTO', 'BIT3'].map((id) => r.status(id).active), [false, false, false, false]);
  r.value('fault', 101).value('estopOk', 0).value('mode', 'MANUAL').value('word', 0b1000);
  assert.deepEqual(['JAM', 'ESTOP', 'NOTAUTO', 'BIT3'].map((id) => r.status(id).active), [true, true, true, true]);
});

test('9. bad quality and communication loss look at qualities and device state themselves', () => {
  const r = new Rig([
    { id: 'BQ', type: 'badQuality', tag: 'x', includeUncertain: false, onDelayS: 2 },
    { id: 'BQU', type: 'badQuality', tag: 'x', includeUncertain: true },
    { id: 'COMM', type: 'commLoss', device: 'plc', onDelayS: 3 },
  ]);
  r.value('x', 1, STALE);
  assert.deepEqual([r.status('BQ').active, r.status('BQU').active], [false, true]);
  r.value('x', 1, BAD).advance(2000);
  assert.equal(r.status('BQ').active, true);
  assert.equal(r.status('BQ').held, false, 'a quality alarm is never held');
  r.value('x', 1);
  assert.equal(r.status('BQ').active, false);
  r.engine.setDeviceCommunicating('plc', false);
  r.advance(2999);
  assert.equal(r.state('COMM'), 'normal');
  r.advance(1);
  assert.equal(r.state('COMM'), 'unack');
  r.engine.setDeviceCommunicating('plc', true);
  assert.equal(r.state('COMM'), 'rtnUnack');
});

test('10. stuck sensor: no movement beyond the band while running for forS; time stopped does not count; movement clears', () => {
  const r = new Rig([{ id: 'STUCK', type: 'stuck', tag: 't', band: 0.05, forS: 30, runningWhen: { tag: 'state', equals: 2 } }]);
  r.value('state', 2);
  // a live sensor: noise of ±0.1
  r.hold('t', (t) => 45 + (Math.floor(t / 500) % 2 ? 0.1 : -0.1), 60_000);
  assert.equal(r.state('STUCK'), 'normal');
  // frozen while stopped: does not count
  r.value('state', 0);
  r.hold('t', 45.03, 60_000);
  assert.equal(r.state('STUCK'), 'normal');
  // frozen while running: raised after 30 s, also without new samples (time-based re-check)
  r.value('state', 2);
  r.value('t', 45.03);
  r.advance(29_999);
  assert.equal(r.state('STUCK'), 'normal');
  r.advance(1);
  assert.equal(r.state('STUCK'), 'unack');
  // the machine stops: no evidence either way, it stays; the sensor moves: cleared
  r.value('state', 0).value('t', 45.03);
  assert.equal(r.status('STUCK').active, true);
  r.value('t', 45.2);
  assert.equal(r.status('STUCK').active, false);
});

test('11. baseline anomaly: learns per machine state, alarms on a % deviation, does not learn the anomaly', () => {
  const r = new Rig([
    { id: 'BASE', type: 'baseline', tag: 'amps', stateTag: 'state', states: [2], percent: 10, deadband: 2, direction: 'above', tauS: 600, smoothS: 2, learnS: 60, settleS: 10 },
  ]);
  const feed = (state: number, amps: (t: number) => number, ms: number) => {
    for (let t = 0; t < ms; t += 500) {
      r.value('state', state).value('amps', amps(t));
      r.advance(500);
    }
  };
  // start-up transient right after entering Running: ignored (settle), and learning needs 60 s
  feed(2, (t) => Math.min(10, t / 500), 30_000);
  assert.equal(r.state('BASE'), 'normal');
  feed(2, (t) => 10 + Math.sin(t / 700) * 0.1, 90_000);
  const ev = r.engine.evaluatorOf('BASE') as BaselineEvaluator;
  const b = ev.current()!;
  assert.ok(Math.abs(b.mean - 10) < 0.6, `baseline ${b.mean}`);
  assert.ok(b.learnedMs >= 60_000);
  // 12 % above its usual for Running
  feed(2, () => 11.2, 20_000);
  assert.equal(r.state('BASE'), 'unack');
  const meanWhileActive = ev.current()!.mean;
  feed(2, () => 11.2, 120_000);
  assert.equal(ev.current()!.mean, meanWhileActive, 'the anomaly is not learned as the new normal');
  assert.equal(r.status('BASE').active, true);
  // another state (stopped: 0 A) is not compared with Running's baseline and clears it
  feed(0, () => 0, 5_000);
  assert.equal(r.status('BASE').active, false);
  // back to usual in Running
  feed(2, () => 10, 30_000);
  assert.equal(r.status('BASE').active, false);
  // learned baselines survive in a new engine
  const learned = ev.learned();
  const s = new Rig([{ id: 'BASE', type: 'baseline', tag: 'amps', stateTag: 'state', states: [2], percent: 10, deadband: 2, direction: 'above', tauS: 600, smoothS: 2, learnS: 60, settleS: 10 }]);
  s.engine.restoreBaselines('BASE', learned);
  for (let t = 0; t < 20_000; t += 500) {
    s.value('state', 2).value('amps', 11.5);
    s.advance(500);
  }
  assert.equal(s.state('BASE'), 'unack', 'alarms without relearning after a restart');
});

test('11b. baseline with an operating point: a new speed learns its own normal rather than alarming; a worn drive still alarms at that speed', () => {
  const def = { id: 'BASE', type: 'baseline' as const, tag: 'amps', stateTag: 'state', states: [2], contextTag: 'sp', contextStep: 10, percent: 8, deadband: 2, direction: 'above' as const, tauS: 600, smoothS: 2, learnS: 30, settleS: 10 };
  const r = new Rig([def]);
  const feed = (sp: number, amps: number, ms: number) => {
    for (let t = 0; t < ms; t += 500) {
      r.value('state', 2).value('sp', sp).value('amps', amps);
      r.advance(500);
    }
  };
  feed(120, 10, 60_000);
  const ev = r.engine.evaluatorOf('BASE') as BaselineEvaluator;
  assert.equal(ev.current()!.state, '2@120');
  // 120 → 130 packs/min: the drive takes 10.9 A, 9 % above the 120 baseline — not an anomaly
  feed(130, 10.9, 90_000);
  assert.equal(r.status('BASE').active, false, 'the new speed is learned, not alarmed');
  assert.equal(ev.current()!.state, '2@130');
  assert.ok(Math.abs(ev.current()!.mean - 10.9) < 0.3, `baseline at 130: ${ev.current()!.mean}`);
  // at 130, a worn bearing draws 12 A: alarmed
  feed(130, 12, 20_000);
  assert.equal(r.state('BASE'), 'unack');
  // without the context, the same speed change is an alarm (what the demo did before)
  const plain = new Rig([{ ...def, contextTag: undefined, contextStep: undefined }]);
  for (const [sp, amps, ms] of [[120, 10, 60_000], [130, 10.9, 20_000]] as const) {
    for (let t = 0; t < ms; t += 500) {
      plain.value('state', 2).value('sp', sp).value('amps', amps);
      plain.advance(500);
    }
  }
  assert.equal(plain.status('BASE').active, true);
});

test('12. suppression by design: suppressed while the condition holds; on release an active condition is annunciated', () => {
  const r = new Rig([{ id: 'LOW', type: 'low', tag: 'speed', limit: 50, deadband: 0, suppressWhen: { tag: 'state', notEquals: 2 } }]);
  r.value('state', 2).value('speed', 100);
  r.value('state', 0).value('speed', 0);
  assert.equal(r.state('LOW'), 'suppressed');
  assert.equal(r.status('LOW').active, true, 'the condition is still tracked');
  r.value('state', 2);
  assert.equal(r.state('LOW'), 'unack');
  r.value('speed', 100).value('state', 0);
  assert.equal(r.state('LOW'), 'suppressed');
  r.value('state', 2);
  assert.equal(r.state('LOW'), 'normal');
  // an unknown suppression condition keeps what was known
  r.value('state', 0).value('state', 0, BAD);
  assert.equal(r.state('LOW'), 'suppressed');
  assert.deepEqual(r.events().slice(0, 3), ['suppressed:normal>suppressed', 'activated:suppressed>suppressed', 'unsuppressed:suppressed>unack']);
});

test('13. acknowledge, with who and when; refusing what does not apply', () => {
  const r = new Rig([{ id: 'H', type: 'high', tag: 'x', limit: 10, deadband: 0 }]);
  assert.deepEqual(r.engine.acknowledge('H', 'ann'), { ok: false, reason: 'nothing to acknowledge: the alarm is normal' });
  assert.equal((r.engine.acknowledge('nope', 'ann') as { notFound?: boolean }).notFound, true);
  r.value('x', 11).advance(1000);
  const out = r.engine.acknowledge('H', 'ann', 'seen, checking');
  assert.ok(out.ok);
  assert.deepEqual(r.status('H').state, { type: 'acked', since: r.clock.now() - 1000, ackedAt: r.clock.now(), ackedBy: 'ann' });
  const j = r.engine.takeJournal().at(-1)!;
  assert.deepEqual([j.event, j.user, j.text], ['acknowledged', 'ann', 'seen, checking']);
  r.value('x', 5);
  assert.equal(r.state('H'), 'normal');
});

test('14. timed shelve: within min..max; expires at its time; an alarm still active re-alarms', () => {
  const r = new Rig([{ id: 'H', type: 'high', tag: 'x', limit: 10, deadband: 0 }]);
  r.value('x', 11);
  assert.match((r.engine.shelve('H', 'ann', 'timed', 4000, 'nuisance') as { reason: string }).reason, /shortest shelve is 5 s/);
  assert.match((r.engine.shelve('H', 'ann', 'timed', 3_601_000, 'nuisance') as { reason: string }).reason, /longest shelve for this alarm is 60 min/);
  assert.ok(r.engine.shelve('H', 'ann', 'timed', 5000, 'sensor being replaced').ok);
  assert.equal(r.state('H'), 'shelved');
  r.value('x', 5).value('x', 12); // noted while shelved
  r.advance(4999);
  assert.equal(r.state('H'), 'shelved');
  r.advance(1);
  assert.equal(r.state('H'), 'unack', 'back, unacknowledged: re-alarm');
  assert.deepEqual(r.events().slice(-4), ['shelved:unack>shelved', 'cleared:shelved>shelved', 'activated:shelved>shelved', 'shelveExpired:shelved>unack']);
  // expiry while normal → normal; unshelve early works too
  r.value('x', 5);
  r.engine.acknowledge('H', 'ann');
  r.engine.shelve('H', 'ann', 'timed', 60_000, 'test');
  r.advance(60_000);
  assert.equal(r.state('H'), 'normal');
  r.engine.shelve('H', 'ann', 'timed', 60_000, 'test');
  assert.ok(r.engine.unshelve('H', 'bob', 'fixed').ok);
  assert.equal(r.state('H'), 'normal');
});

test('15. one-shot shelve: ends when the alarm clears; at most the maximum shelve time', () => {
  const r = new Rig([{ id: 'H', type: 'high', tag: 'x', limit: 10, deadband: 0, maxShelveS: 600 }]);
  r.value('x', 11);
  assert.ok(r.engine.shelve('H', 'ann', 'oneShot', undefined, 'known, being fixed').ok);
  const st = r.status('H').state;
  assert.ok(st.type === 'shelved' && st.until === r.clock.now() + 600_000, 'bounded by the alarm\'s maxShelveS');
  r.value('x', 9);
  assert.equal(r.state('H'), 'normal');
  assert.match(r.engine.takeJournal().at(-1)!.text, /one-shot shelve ended/);
  r.value('x', 11);
  assert.equal(r.state('H'), 'unack', 'the next occurrence is annunciated');
});

test('16. latched: stays after clearing until reset; reset needs the process normal', () => {
  const r = new Rig([{ id: 'JAM', type: 'discrete', tag: 'f', equals: 101, latched: true }]);
  r.value('f', 101);
  r.engine.acknowledge('JAM', 'ann');
  assert.match((r.engine.reset('JAM', 'ann') as { reason: string }).reason, /still active/);
  r.value('f', 0);
  assert.equal(r.state('JAM'), 'latched');
  assert.ok(r.engine.reset('JAM', 'bob').ok);
  assert.equal(r.state('JAM'), 'normal');
  // unacked latched: reset acknowledges it, and says so
  r.value('f', 101).value('f', 0);
  r.engine.reset('JAM', 'bob', 'cleared by hand');
  assert.equal(r.engine.takeJournal().at(-1)!.text, 'reset (acknowledges it): cleared by hand');
});

test('17. out of service: silences everything until returned; returning resolves from the process', () => {
  const r = new Rig([{ id: 'H', type: 'high', tag: 'x', limit: 10, deadband: 0 }]);
  assert.ok(r.engine.removeFromService('H', 'eve', 'transmitter replaced').ok);
  r.value('x', 50);
  assert.equal(r.state('H'), 'outOfService');
  assert.equal(r.status('H').active, true);
  assert.ok(r.engine.returnToService('H', 'eve').ok);
  assert.equal(r.state('H'), 'unack');
});

test('18. comments go to the journal and stay on the alarm', () => {
  const r = new Rig([{ id: 'H', type: 'high', tag: 'x', limit: 10, deadband: 0 }]);
  r.value('x', 11);
  r.engine.comment('H', 'ann', 'maintenance informed');
  assert.deepEqual(r.status('H').lastComment, { text: 'maintenance informed', user: 'ann', ts: r.clock.now() });
  assert.equal(r.engine.takeJournal().at(-1)!.event, 'commented');
});

test('19. restart: states come back (held until values confirm); shelves keep their expiry; unreadable shelves end unshelved', () => {
  const a = new Rig([
    { id: 'A', type: 'high', tag: 'x', limit: 10, deadband: 0 },
    { id: 'S', type: 'high', tag: 'y', limit: 10, deadband: 0 },
    { id: 'X', type: 'high', tag: 'z', limit: 10, deadband: 0 },
  ]);
  a.value('x', 11).value('y', 11).value('z', 11);
  a.engine.acknowledge('A', 'ann');
  a.engine.shelve('S', 'ann', 'timed', 600_000, 'calibration');
  a.engine.shelve('X', 'ann', 'timed', 600_000, 'calibration');
  const saved = a.engine.takeDirty().persisted;
  const broken = saved.map((p) => (p.alarmId === 'X' ? { ...p, state: '{"type":"shelved","mode":"forever"}' } : p));

  const b = new Rig([
    { id: 'A', type: 'high', tag: 'x', limit: 10, deadband: 0 },
    { id: 'S', type: 'high', tag: 'y', limit: 10, deadband: 0 },
    { id: 'X', type: 'high', tag: 'z', limit: 10, deadband: 0 },
  ]);
  b.clock.advance(60_000);
  b.engine.restore(broken);
  assert.equal(b.state('A'), 'acked');
  assert.equal(b.status('A').held, true);
  assert.equal(b.state('S'), 'shelved');
  assert.equal(b.state('X'), 'unack', 'unshelved, and active as it was');
  assert.match(b.engine.takeJournal().find((j) => j.alarm === 2)!.text, /could not be recovered/);
  b.value('x', 11);
  assert.equal(b.status('A').held, false);
  b.advance(600_000);
  assert.equal(b.state('S'), 'unack', 'the shelve expired at its original time: re-alarm');

  // a shelve that expired while stopped ends at start, on record
  const c = new Rig([{ id: 'S', type: 'high', tag: 'y', limit: 10, deadband: 0 }]);
  c.clock.advance(3_600_000);
  c.engine.restore(saved.filter((p) => p.alarmId === 'S'));
  assert.equal(c.state('S'), 'unack');
  assert.match(c.engine.takeJournal()[0].text, /expired while Lineside was not running/);
});

test('20. parseState accepts every state it writes and refuses what does not hold up', () => {
  const states = [
    { type: 'normal' },
    { type: 'unack', since: 1 },
    { type: 'acked', since: 1, ackedAt: 2, ackedBy: 'a' },
    { type: 'rtnUnack', since: 1, clearedAt: 2 },
    { type: 'latched', since: 1, clearedAt: 2, ackedAt: null, ackedBy: null },
    { type: 'shelved', mode: 'oneShot', at: 1, until: 2, by: 'a', reason: 'r' },
    { type: 'suppressed', since: 1 },
    { type: 'outOfService', since: 1, by: 'a', reason: 'r' },
  ];
  for (const s of states) assert.deepEqual(parseState(JSON.stringify(s)), s);
  for (const bad of ['', 'null', '{"type":"acked","since":1}', '{"type":"shelved","mode":"timed","at":5,"until":1,"by":"a","reason":"r"}', '{"type":"boom"}']) {
    assert.equal(parseState(bad), null, bad);
  }
});

test('21. a thousand alarms on one value: one ingest, each raised once, no duplicates in dirty', () => {
  const defs: Def[] = Array.from({ length: 1000 }, (_, i) => ({ id: `A${i}`, type: 'discrete', tag: 'fault', equals: 101 }));
  const r = new Rig(defs);
  r.value('fault', 101);
  const { statuses } = r.engine.takeDirty();
  assert.equal(statuses.length, 1000);
  assert.equal(new Set(statuses.map((s) => s.id)).size, 1000);
  assert.equal(r.engine.abnormal().length, 1000);
});
