/**
 * The ISA-18.2 state machine, transition by transition (letters as in main/alarms/alarm-state.ts:
 * A normal, B unack, C acked, D returned unack, E latched, F shelved, G suppressed, H out of
 * service). Pure: the context says what the process does.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NORMAL, resolveState, transition, type AlarmContext, type AlarmEvent, type TransitionResult } from '../../main/alarms/alarm-state';
import type { AlarmState } from '../../shared/alarms';

const T = 1_000_000;
const ctx = (o: Partial<AlarmContext> = {}): AlarmContext => ({ now: T, latched: false, condition: false, suppressed: false, ...o });
const B: AlarmState = { type: 'unack', since: 100 };
const C: AlarmState = { type: 'acked', since: 100, ackedAt: 200, ackedBy: 'ann' };
const D: AlarmState = { type: 'rtnUnack', since: 100, clearedAt: 300 };
const E: AlarmState = { type: 'latched', since: 100, clearedAt: 300, ackedAt: null, ackedBy: null };
const Eack: AlarmState = { type: 'latched', since: 100, clearedAt: 300, ackedAt: 350, ackedBy: 'ann' };
const F: AlarmState = { type: 'shelved', mode: 'timed', at: 500, until: 9_000_000, by: 'ann', reason: 'sensor being replaced' };
const F1: AlarmState = { ...F, mode: 'oneShot' };
const G: AlarmState = { type: 'suppressed', since: 100 };
const H: AlarmState = { type: 'outOfService', since: 100, by: 'eve', reason: 'instrument removed' };

const ack: AlarmEvent = { type: 'acknowledge', user: 'bob' };
const reset: AlarmEvent = { type: 'reset', user: 'bob' };
const shelve: AlarmEvent = { type: 'shelve', user: 'bob', mode: 'timed', until: T + 60_000, reason: 'nuisance' };
const unshelve: AlarmEvent = { type: 'unshelve', user: 'bob' };
const oos: AlarmEvent = { type: 'removeFromService', user: 'eve', reason: 'calibration' };
const rts: AlarmEvent = { type: 'returnToService', user: 'eve' };

function movedTo(r: TransitionResult): AlarmState {
  assert.equal(r.kind, 'moved', JSON.stringify(r));
  return (r as { state: AlarmState }).state;
}
function refused(r: TransitionResult): string {
  assert.equal(r.kind, 'refused', JSON.stringify(r));
  return (r as { reason: string }).reason;
}

test('A normal: activate → B (since now); suppress → G; shelve → F; remove → H; ack and reset are refused', () => {
  assert.deepEqual(movedTo(transition(NORMAL, { type: 'activate' }, ctx({ condition: true }))), { type: 'unack', since: T });
  assert.deepEqual(movedTo(transition(NORMAL, { type: 'suppress' }, ctx({ suppressed: true }))), { type: 'suppressed', since: T });
  assert.deepEqual(movedTo(transition(NORMAL, shelve, ctx())), { type: 'shelved', mode: 'timed', at: T, until: T + 60_000, by: 'bob', reason: 'nuisance' });
  assert.deepEqual(movedTo(transition(NORMAL, oos, ctx())), { type: 'outOfService', since: T, by: 'eve', reason: 'calibration' });
  assert.match(refused(transition(NORMAL, ack, ctx())), /nothing to acknowledge/);
  assert.match(refused(transition(NORMAL, reset, ctx())), /only a latched alarm/);
  assert.match(refused(transition(NORMAL, unshelve, ctx())), /not shelved/);
  assert.match(refused(transition(NORMAL, rts, ctx())), /in service/);
  assert.equal(transition(NORMAL, { type: 'clear' }, ctx()).kind, 'unchanged');
  assert.equal(transition(NORMAL, { type: 'unsuppress' }, ctx()).kind, 'unchanged');
});

test('B unack: ack → C (who, when); clear → D, or E when latched; reset refused while active', () => {
  assert.deepEqual(movedTo(transition(B, ack, ctx({ condition: true }))), { type: 'acked', since: 100, ackedAt: T, ackedBy: 'bob' });
  assert.deepEqual(movedTo(transition(B, { type: 'clear' }, ctx())), { type: 'rtnUnack', since: 100, clearedAt: T });
  assert.deepEqual(movedTo(transition(B, { type: 'clear' }, ctx({ latched: true }))), { type: 'latched', since: 100, clearedAt: T, ackedAt: null, ackedBy: null });
  assert.match(refused(transition(B, reset, ctx({ condition: true, latched: true }))), /still active/);
  assert.equal(transition(B, { type: 'activate' }, ctx({ condition: true })).kind, 'unchanged');
  assert.equal(movedTo(transition(B, { type: 'suppress' }, ctx({ condition: true, suppressed: true }))).type, 'suppressed');
  assert.equal(movedTo(transition(B, shelve, ctx({ condition: true }))).type, 'shelved');
  assert.equal(movedTo(transition(B, oos, ctx({ condition: true }))).type, 'outOfService');
});

test('C acked: clear → A, or E (acknowledged) when latched; a second ack is refused, naming who acked', () => {
  assert.deepEqual(movedTo(transition(C, { type: 'clear' }, ctx())), NORMAL);
  assert.deepEqual(movedTo(transition(C, { type: 'clear' }, ctx({ latched: true }))), { type: 'latched', since: 100, clearedAt: T, ackedAt: 200, ackedBy: 'ann' });
  assert.match(refused(transition(C, ack, ctx({ condition: true }))), /already acknowledged by ann/);
  assert.equal(movedTo(transition(C, shelve, ctx({ condition: true }))).type, 'shelved');
  assert.equal(movedTo(transition(C, { type: 'suppress' }, ctx({ condition: true, suppressed: true }))).type, 'suppressed');
});

test('D returned unack: ack → A; activate again before ack → B (re-alarm, new since)', () => {
  assert.deepEqual(movedTo(transition(D, ack, ctx())), NORMAL);
  assert.deepEqual(movedTo(transition(D, { type: 'activate' }, ctx({ condition: true }))), { type: 'unack', since: T });
  assert.equal(transition(D, { type: 'clear' }, ctx()).kind, 'unchanged');
  assert.equal(movedTo(transition(D, shelve, ctx())).type, 'shelved');
});

test('E latched: ack stays latched (acknowledged); reset → A once normal (also unacked); activate → B; not shelvable', () => {
  assert.deepEqual(movedTo(transition(E, ack, ctx({ latched: true }))), { ...E, ackedAt: T, ackedBy: 'bob' });
  assert.match(refused(transition(Eack, ack, ctx({ latched: true }))), /already acknowledged by ann; reset it/);
  assert.deepEqual(movedTo(transition(Eack, reset, ctx({ latched: true }))), NORMAL);
  assert.deepEqual(movedTo(transition(E, reset, ctx({ latched: true }))), NORMAL);
  assert.match(refused(transition(E, reset, ctx({ latched: true, condition: true }))), /active again/);
  assert.deepEqual(movedTo(transition(E, { type: 'activate' }, ctx({ latched: true, condition: true }))), { type: 'unack', since: T });
  assert.match(refused(transition(E, shelve, ctx({ latched: true }))), /reset, not shelved/);
  assert.equal(movedTo(transition(E, oos, ctx({ latched: true }))).type, 'outOfService');
});

test('F shelved: unshelve / expiry resolve from the process (active → B re-alarm, suppressed → G, else A)', () => {
  assert.deepEqual(movedTo(transition(F, unshelve, ctx())), NORMAL);
  assert.deepEqual(movedTo(transition(F, unshelve, ctx({ condition: true }))), { type: 'unack', since: T });
  assert.deepEqual(movedTo(transition(F, { type: 'shelveExpired' }, ctx({ condition: true }))), { type: 'unack', since: T });
  assert.deepEqual(movedTo(transition(F, { type: 'shelveExpired' }, ctx({ condition: true, suppressed: true }))), { type: 'suppressed', since: T });
  // process events and suppression are noted by the engine, not transitions
  for (const e of ['activate', 'clear', 'suppress', 'unsuppress'] as const) assert.equal(transition(F, { type: e }, ctx()).kind, 'unchanged', e);
  assert.match(refused(transition(F, ack, ctx({ condition: true }))), /shelved/);
  // shelving again replaces the shelve
  assert.deepEqual(movedTo(transition(F, shelve, ctx())), { type: 'shelved', mode: 'timed', at: T, until: T + 60_000, by: 'bob', reason: 'nuisance' });
  assert.equal(movedTo(transition(F, oos, ctx())).type, 'outOfService');
});

test('F one-shot: the alarm clearing ends the shelve', () => {
  assert.deepEqual(movedTo(transition(F1, { type: 'clear' }, ctx())), NORMAL);
  assert.equal(transition(F1, { type: 'activate' }, ctx({ condition: true })).kind, 'unchanged');
});

test('G suppressed: the condition ending resolves (active → B, else A); no ack, no shelve', () => {
  assert.deepEqual(movedTo(transition(G, { type: 'unsuppress' }, ctx())), NORMAL);
  assert.deepEqual(movedTo(transition(G, { type: 'unsuppress' }, ctx({ condition: true }))), { type: 'unack', since: T });
  assert.equal(transition(G, { type: 'activate' }, ctx({ condition: true, suppressed: true })).kind, 'unchanged');
  assert.match(refused(transition(G, ack, ctx({ suppressed: true }))), /suppressed by design/);
  assert.match(refused(transition(G, shelve, ctx({ suppressed: true }))), /suppressed by design/);
  assert.equal(movedTo(transition(G, oos, ctx({ suppressed: true }))).type, 'outOfService');
});

test('H out of service: only return to service moves it, resolving from the process', () => {
  assert.deepEqual(movedTo(transition(H, rts, ctx())), NORMAL);
  assert.deepEqual(movedTo(transition(H, rts, ctx({ condition: true }))), { type: 'unack', since: T });
  assert.deepEqual(movedTo(transition(H, rts, ctx({ condition: true, suppressed: true }))), { type: 'suppressed', since: T });
  for (const e of ['activate', 'clear', 'suppress', 'unsuppress', 'shelveExpired'] as const) assert.equal(transition(H, { type: e }, ctx()).kind, 'unchanged', e);
  assert.match(refused(transition(H, ack, ctx())), /out of service/);
  assert.match(refused(transition(H, shelve, ctx())), /out of service/);
  assert.match(refused(transition(H, oos, ctx())), /already out of service/);
});

test('resolveState: suppression first, then the condition', () => {
  assert.equal(resolveState(ctx({ suppressed: true, condition: true })).type, 'suppressed');
  assert.equal(resolveState(ctx({ condition: true })).type, 'unack');
  assert.equal(resolveState(ctx()).type, 'normal');
});
