/**
 * Sessions as a state machine on a fake clock: idle sign-out per role (the shortest of the
 * user's roles), activity moving it on, the lock, and a locked session's grants.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SessionManager, type Session } from '../../main/security/session-manager';
import { FakeClock } from '../../main/util/clock';
import type { Grant } from '../../shared/security';

const MIN = 60_000;
function rig() {
  const clock = new FakeClock();
  const idleOuts: string[] = [];
  const changes: string[] = [];
  const policy: Record<string, { grants: Grant[]; idle: number | null }> = {
    operator: { grants: ['view', 'tags.write'], idle: 30 * MIN },
    admin: { grants: ['view', 'users.manage'], idle: 10 * MIN },
    viewer: { grants: ['view'], idle: null },
  };
  const m = new SessionManager({
    clock,
    rolePolicy: (roles) => {
      const grants = new Set<Grant>(['view']);
      let idle: number | null = null;
      for (const r of roles) {
        policy[r].grants.forEach((g) => grants.add(g));
        const i = policy[r].idle;
        if (i !== null) idle = idle === null ? i : Math.min(idle, i);
      }
      return { grants: [...grants], idleTimeoutMs: idle };
    },
    setupRequired: () => false,
    onIdleSignOut: (_s, u) => idleOuts.push(u.id),
    onChange: (s: Session) => changes.push(s.phase.kind),
  });
  return { clock, m, idleOuts, changes };
}

test('1. idle sign-out after the role’s timeout; activity starts it again', () => {
  const { clock, m, idleOuts } = rig();
  const s = m.attach('s1', 'panel');
  m.signIn(s, { id: 'op', name: 'Op', roles: ['operator'] }, false);
  clock.advance(20 * MIN);
  m.activity(s);
  clock.advance(20 * MIN);
  assert.equal(s.phase.kind, 'signedIn', '40 min in, but 20 since the last touch');
  clock.advance(10 * MIN + 1);
  assert.equal(s.phase.kind, 'signedOut');
  assert.deepEqual(idleOuts, ['op']);
  assert.match(m.state(s).notice ?? '', /signed out after 30 min without activity/);
  assert.deepEqual(m.state(s).grants, ['view'], 'back to viewer');
});

test('2. a user with two roles gets the shortest timeout; a viewer-only user never times out', () => {
  const { clock, m } = rig();
  const s = m.attach('s2', 'panel');
  m.signIn(s, { id: 'ad', name: 'Ad', roles: ['operator', 'admin'] }, false);
  clock.advance(10 * MIN + 1);
  assert.equal(s.phase.kind, 'signedOut');
  m.signIn(s, { id: 'v', name: 'V', roles: ['viewer'] }, false);
  clock.advance(24 * 60 * MIN);
  assert.equal(s.phase.kind, 'signedIn');
});

test('3. a locked screen only looks; unlock gives the grants back; idle still signs it out', () => {
  const { clock, m } = rig();
  const s = m.attach('s3', 'panel');
  m.signIn(s, { id: 'op', name: 'Op', roles: ['operator'] }, false);
  assert.equal(m.lock(s), true);
  assert.deepEqual([m.state(s).locked, m.state(s).grants], [true, ['view']]);
  assert.equal(m.unlock(s), true);
  assert.ok(m.state(s).grants.includes('tags.write'));
  m.lock(s);
  clock.advance(30 * MIN + 1);
  assert.equal(s.phase.kind, 'signedOut');
});

test('4. a signed-out session without connections is forgotten; a signed-in one is kept (reload)', () => {
  const { m } = rig();
  const a = m.attach('a', 'panel');
  m.detach(a);
  assert.equal(m.get('a'), undefined);
  const b = m.attach('b', 'panel');
  m.signIn(b, { id: 'op', name: 'Op', roles: ['operator'] }, false);
  m.detach(b);
  assert.equal(m.get('b')?.phase.kind, 'signedIn');
  assert.equal(m.attach('b', 'panel'), b, 'the reload finds the same session');
});
