/**
 * What the People screen checks and writes (renderer/features/people/people-format.ts): audit
 * filters from local-time inputs to epoch ms, values on record, lockouts, the rules for new
 * passwords, user ids and badges as the runtime has them, and the guard against an
 * administrator locking themselves out.
 *
 * Times are built with local-time Date constructors, so the tests hold in any timezone.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  auditCsvFileName,
  auditFilterParams,
  badgeProblem,
  EMPTY_AUDIT_FILTER,
  formatAuditChange,
  formatAuditValue,
  formatLocalDateTime,
  fromLocalInput,
  lockoutText,
  mayUnlock,
  orderedRoles,
  passwordProblem,
  selfChangeProblem,
  shortHash,
  toLocalInput,
  userIdProblem,
} from '../../renderer/features/people/people-format';

test('1. local-time inputs round-trip to epoch ms; garbage is undefined', () => {
  const t = new Date(2026, 2, 4, 14, 5).getTime();
  assert.equal(toLocalInput(t), '2026-03-04T14:05');
  assert.equal(fromLocalInput('2026-03-04T14:05'), t);
  assert.equal(fromLocalInput('2026-03-04T14:05:30'), t + 30_000);
  assert.equal(fromLocalInput(''), undefined);
  assert.equal(fromLocalInput('yesterday'), undefined);
  assert.equal(formatLocalDateTime(t + 9000), '2026-03-04 14:05:09');
});

test('2. audit filters: empty fields are left out, "to" covers its whole minute, from after to is refused', () => {
  assert.deepEqual(auditFilterParams(EMPTY_AUDIT_FILTER), { params: {}, error: null });
  const from = new Date(2026, 0, 1, 6, 0).getTime();
  const to = new Date(2026, 0, 1, 14, 0).getTime();
  const r = auditFilterParams({ user: ' admin ', action: 'user.', target: 'op', from: '2026-01-01T06:00', to: '2026-01-01T14:00' });
  assert.deepEqual(r, { params: { user: 'admin', action: 'user.', target: 'op', from, to: to + 59_999 }, error: null });
  assert.match(auditFilterParams({ ...EMPTY_AUDIT_FILTER, from: '2026-01-02T00:00', to: '2026-01-01T00:00' }).error ?? '', /"from" is after "to"/);
  assert.match(auditFilterParams({ ...EMPTY_AUDIT_FILTER, from: 'soon' }).error ?? '', /"from" time/);
});

test('3. values on record: scalars as they are, structures as JSON, nothing as empty', () => {
  assert.equal(formatAuditValue(null), '');
  assert.equal(formatAuditValue(135), '135');
  assert.equal(formatAuditValue(false), 'false');
  assert.equal(formatAuditValue('on'), 'on');
  assert.equal(formatAuditValue({ name: 'Ann', roles: ['operator'] }), '{"name":"Ann","roles":["operator"]}');
});

test('4. hashes shortened, the CSV named by the local date', () => {
  assert.equal(shortHash('0123456789abcdef', 8), '01234567…');
  assert.equal(shortHash('abc', 8), 'abc');
  assert.equal(auditCsvFileName(new Date(2026, 6, 9, 23, 59).getTime()), 'lineside-audit-2026-07-09.csv');
});

test('5. lockout: a running lockout, counted failures, or nothing; unlock only when it does something', () => {
  const now = new Date(2026, 0, 1, 12, 0).getTime();
  const locked = { lockedUntil: now + 60_000, failedAttempts: 5 };
  assert.equal(lockoutText(locked, now), 'locked until 12:01:00', 'today: the time is enough');
  assert.equal(lockoutText({ lockedUntil: new Date(2026, 0, 2, 0, 5).getTime(), failedAttempts: 5 }, now), 'locked until 2026-01-02 00:05:00');
  assert.equal(mayUnlock(locked, now), true);
  assert.equal(lockoutText({ lockedUntil: null, failedAttempts: 2 }, now), '2 failed attempts');
  assert.equal(lockoutText({ lockedUntil: now - 1, failedAttempts: 0 }, now), null, 'a lockout that has run out');
  assert.equal(mayUnlock({ lockedUntil: null, failedAttempts: 0 }, now), false);
});

test('6. new passwords: the project minimum, not the user id, typed the same twice', () => {
  assert.match(passwordProblem('short', 'short', 8, 'ann') ?? '', /at least 8 characters/);
  assert.match(passwordProblem('xxANN-2026', 'xxANN-2026', 8, 'ann') ?? '', /must not contain the user id/);
  assert.match(passwordProblem('line-side-1', 'line-side-2', 8, 'ann') ?? '', /differ/);
  assert.equal(passwordProblem('line-side-1', 'line-side-1', 8, 'ann'), null);
});

test('7. user ids and badges as the runtime accepts them', () => {
  assert.equal(userIdProblem('op.ann'), null);
  assert.match(userIdProblem('a') ?? '', /at least 2/);
  assert.match(userIdProblem('ann smith') ?? '', /letters, digits/);
  assert.match(userIdProblem('-ann') ?? '', /starting with/);
  assert.equal(badgeProblem('04A1:77', '1234', '1234'), null);
  assert.match(badgeProblem('04A', '1234', '1234') ?? '', /at least 4/);
  assert.match(badgeProblem('04A1 77', '1234', '1234') ?? '', /letters, digits/);
  assert.match(badgeProblem('04A177', '12a4', '12a4') ?? '', /4 to 12 digits/);
  assert.match(badgeProblem('04A177', '1234', '1235') ?? '', /differ/);
});

test('8. an administrator cannot disable themselves or drop their own user management; others they can', () => {
  const me = { id: 'Admin', roles: ['admin'] };
  const manage = ['admin', 'useradmin'];
  assert.match(selfChangeProblem('admin', me, { enabled: false }, manage) ?? '', /disable your own account/);
  assert.match(selfChangeProblem('admin', me, { roles: ['operator'] }, manage) ?? '', /user management/);
  assert.match(selfChangeProblem('admin', { id: 'admin', roles: ['admin', 'useradmin'] }, { roles: ['useradmin'] }, manage) ?? '', /admin role/);
  assert.equal(selfChangeProblem('admin', me, { roles: ['admin', 'operator'], enabled: true }, manage), null);
  assert.equal(selfChangeProblem('admin', { id: 'ann', roles: ['admin'] }, { enabled: false, roles: ['operator'] }, manage), null, 'someone else');
  assert.equal(selfChangeProblem(null, me, { enabled: false }, manage), null);
});

test('9. chosen roles in the project\'s order', () => {
  assert.deepEqual(orderedRoles(new Set(['admin', 'operator']), ['viewer', 'operator', 'supervisor', 'admin']), ['operator', 'admin']);
});

test('10. old → new: changed fields of a record, the fields of a new one, scalars side by side', () => {
  const before = { name: 'Ann Operator', roles: ['operator'], enabled: true };
  assert.deepEqual(formatAuditChange(before, { ...before, enabled: false }), ['enabled: true → false']);
  assert.deepEqual(formatAuditChange(before, { ...before, roles: ['operator', 'supervisor'], name: 'Ann O.' }), ['name: Ann Operator → Ann O.', 'roles: operator → operator, supervisor']);
  assert.deepEqual(formatAuditChange(null, { name: 'Ann Operator', roles: ['operator'] }), ['name: Ann Operator', 'roles: operator']);
  assert.deepEqual(formatAuditChange(120, 135), ['120 → 135']);
  assert.deepEqual(formatAuditChange(null, true), ['— → true']);
  assert.deepEqual(formatAuditChange(1767261600000, null), ['1767261600000 → —']);
  assert.deepEqual(formatAuditChange(null, null), []);
  assert.deepEqual(formatAuditChange(before, { ...before }), ['no change']);
});
