/**
 * The renderer's signing client: a call the runtime answers with `signature_required` is asked
 * for a signature and sent again with it; a refused signature is asked for again with the
 * runtime's reason; a cancel ends the call and nothing more is sent. Also the screen's view of
 * permissions and the idle countdown.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError, type CallOptions, type LinesideClient } from '../../shared/api';
import type { SessionState, SignatureInput } from '../../shared/security';
import { requirementFrom, SigningCancelled, withSigning, type SigningRequest } from '../../renderer/features/signatures/signing-client';
import { may } from '../../renderer/state/permission';
import { idleCountdown } from '../../renderer/features/session/idle-countdown';

const REQUIRED = new ApiError({
  code: 'signature_required',
  message: 'shelving priority 1 alarms needs an electronic signature',
  context: { kind: 'verification', meaning: 'approved', commentRequired: true, verifierRoles: 'supervisor,admin', rule: 'shelving priority 1 alarms', method: 'alarms.shelve' },
});

/** A runtime stand-in: needs a signature whose secret is "right"; records what it was sent. */
function runtime() {
  const sent: { method: string; signature?: SignatureInput }[] = [];
  const client: LinesideClient = {
    call: (async (method: string, _params: unknown, options?: CallOptions) => {
      sent.push({ method, signature: options?.signature });
      if (method !== 'alarms.shelve') return { plain: true };
      if (options?.signature === undefined) throw REQUIRED;
      if (options.signature.secret !== 'right') throw new ApiError({ code: 'unauthenticated', message: 'signature refused: the password or PIN is wrong' });
      return { done: ['L1.EStop'], refused: [] };
    }) as LinesideClient['call'],
    on: () => () => undefined,
    onConnection: () => () => undefined,
  };
  return { client, sent };
}

const shelve = { alarmId: 'L1.EStop', mode: 'timed', durationS: 600, reason: 'wiring' } as never;

test('1. the requirement is read from the error context (kind, meaning, comment, verifier roles)', () => {
  assert.deepEqual(requirementFrom(REQUIRED.context), { kind: 'verification', meaning: 'approved', commentRequired: true, verifierRoles: ['supervisor', 'admin'], rule: 'shelving priority 1 alarms' });
  assert.deepEqual(requirementFrom({ meaning: 'bogus' }), { kind: 'signature', meaning: 'performed', commentRequired: false, verifierRoles: [], rule: 'this action' });
});

test('2. signature required → asked → sent again with it; a wrong secret is asked again with the reason', async () => {
  const { client, sent } = runtime();
  const asked: SigningRequest[] = [];
  const answers = ['wrong', 'right'];
  const signing = withSigning(client, async (r) => {
    asked.push(r);
    return { meaning: r.requirement.meaning, secret: answers.shift()!, comment: 'ok' };
  });
  const result = await signing.call('alarms.shelve', shelve);
  assert.deepEqual(result, { done: ['L1.EStop'], refused: [] });
  assert.deepEqual(asked.map((a) => a.problem), [null, 'signature refused: the password or PIN is wrong']);
  assert.equal(asked[0].message, REQUIRED.message);
  assert.deepEqual(sent.map((s) => s.signature?.secret ?? null), [null, 'wrong', 'right']);
});

test('3. a cancelled signature ends the call: SigningCancelled, nothing more is sent', async () => {
  const { client, sent } = runtime();
  const signing = withSigning(client, async () => null);
  await assert.rejects(signing.call('alarms.shelve', shelve), (e: unknown) => e instanceof SigningCancelled && /not carried out/.test(e.message));
  assert.equal(sent.length, 1);
});

test('4. calls that need no signature pass straight through; other errors are not retried', async () => {
  const { client, sent } = runtime();
  let asked = 0;
  const signing = withSigning(client, async () => {
    asked++;
    return null;
  });
  assert.deepEqual(await signing.call('app.info', {}), { plain: true });
  const failing = withSigning({ ...client, call: (async () => { throw new ApiError({ code: 'forbidden', message: 'no' }); }) as LinesideClient['call'] }, async () => {
    asked++;
    return null;
  });
  await assert.rejects(failing.call('tags.write', { tagId: 'x', value: 1 }), /no/);
  assert.equal(asked, 0);
  assert.equal(sent.length, 1);
});

const state = (over: Partial<SessionState>): SessionState => ({
  user: { id: 'olga', name: 'Olga Operator', roles: ['operator'] },
  grants: ['view', 'tags.write:Packing'],
  locked: false,
  signedInAt: 0,
  idleTimeoutMs: 3_600_000,
  lastActivity: 0,
  setupRequired: false,
  mustChangePassword: false,
  station: 'test',
  notice: null,
  ...over,
});

test('5. the screen’s view of a permission: allowed, or why not (locked, signed out, role, area)', () => {
  assert.deepEqual(may(state({}), 'tags.write', 'Packing'), { allowed: true, why: null });
  assert.match(may(state({}), 'tags.write', 'Filling').why!, /Olga Operator \(operator\) may not write setpoints and commands in area Filling/);
  assert.match(may(state({ locked: true }), 'tags.write', 'Packing').why!, /locked/);
  assert.match(may(state({ user: null, grants: ['view'] }), 'alarms.shelve').why!, /^sign in to shelve alarms/);
  assert.equal(may(null, 'view').allowed, false);
});

test('6. the idle countdown: none for a role never signed out; a warning in the last minute; due at the timeout', () => {
  assert.equal(idleCountdown(10, 0, null), null);
  assert.deepEqual(idleCountdown(1000, 0, 3_600_000), { leftMs: 3_599_000, warn: false });
  assert.deepEqual(idleCountdown(3_550_000, 0, 3_600_000), { leftMs: 50_000, warn: true });
  assert.ok(idleCountdown(3_600_000, 0, 3_600_000)!.leftMs <= 0);
});
