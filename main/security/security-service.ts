/**
 * The people side of the runtime in one place: users, roles, sessions, sign-in, lockout,
 * password rules, and the records all of it leaves in the audit trail. The API handlers
 * (main/app/security-api.ts) only translate; the access guard (access-guard.ts) uses the same
 * sessions and roles to admit every call.
 */
import type Database from 'better-sqlite3';
import { ApiError } from '../../shared/api';
import { grantsAllow, type Grant, type RoleInfo, type SessionState, type SessionUser, type UserInfo } from '../../shared/security';
import type { RoleDefinition, SecuritySettings } from './security-settings';
import type { Clock } from '../util/clock';
import type { AuditRecord } from './audit-trail';
import { Authenticator, BADGE_REFUSED, SIGN_IN_REFUSED, type CheckResult, type SecurityAlerts } from './authenticator';
import { VIEWER, type Caller } from './caller';
import { hashSecret } from './password-hasher';
import { SessionManager, type Session } from './session-manager';
import { publicUser, UserExists, UserStore, type StoredUser } from './user-store';

const DAY_MS = 86_400_000;

export interface SecurityServiceDeps {
  db: Database.Database;
  clock: Clock;
  section: SecuritySettings;
  record: (r: AuditRecord) => number;
  /** the sign-in alarm: on while a lockout or a burst of unknown ids is recent */
  signInAlarm: (active: boolean) => void;
  /** a session's state changed: push it to that session's connections */
  onSessionChange: (sessionId: string, state: SessionState) => void;
}

export class SecurityService {
  readonly users: UserStore;
  readonly sessions: SessionManager;
  readonly authenticator: Authenticator;
  readonly roles: ReadonlyMap<string, RoleDefinition>;
  private alarmTimer: ReturnType<Clock['setTimeout']> | null = null;

  constructor(private readonly d: SecurityServiceDeps) {
    this.users = new UserStore(d.db);
    this.roles = d.section.roles;
    this.sessions = new SessionManager({
      clock: d.clock,
      rolePolicy: (roles) => this.rolePolicy(roles),
      setupRequired: () => this.users.size() === 0,
      onIdleSignOut: (s, user, idleMs) =>
        this.record(s, user.id, 'session.signOut', user.id, 'done', `signed out after ${Math.round(idleMs / 60_000)} min without activity`),
      onChange: (s) => d.onSessionChange(s.id, this.sessions.state(s)),
    });
    const lockout = d.section.lockout;
    const alerts: SecurityAlerts = {
      lockedOut: (userId, failures, until, station) => {
        d.record({ ts: d.clock.now(), user: userId, station, action: 'session.lockout', target: userId, oldValue: null, newValue: until, outcome: 'done', detail: `locked after ${failures} failed sign-ins until ${new Date(until).toISOString()}` });
        this.raiseAlarm(lockout.minutes * 60_000);
      },
      unknownIds: (count, station) => {
        d.record({ ts: d.clock.now(), user: VIEWER, station, action: 'session.unknownIds', target: station, oldValue: null, newValue: count, outcome: 'done', detail: `${count} failed sign-ins on unknown user ids within 10 min` });
        this.raiseAlarm(10 * 60_000);
      },
    };
    this.authenticator = new Authenticator(this.users, d.clock, { attempts: lockout.attempts, lockMs: lockout.minutes * 60_000, unknownIdFailures: lockout.unknownIdFailures, unknownIdWindowMs: 10 * 60_000 }, alerts);
  }

  /** The grants and idle timeout of a user's roles: the union of grants, the shortest timeout. */
  rolePolicy(roles: readonly string[]): { grants: Grant[]; idleTimeoutMs: number | null } {
    const grants = new Set<Grant>(['view']);
    let idle: number | null = null;
    for (const r of roles) {
      const def = this.roles.get(r);
      if (!def) continue;
      def.grants.forEach((g) => grants.add(g));
      if (def.idleTimeoutMs !== null) idle = idle === null ? def.idleTimeoutMs : Math.min(idle, def.idleTimeoutMs);
    }
    return { grants: [...grants], idleTimeoutMs: idle };
  }

  roleInfos(): RoleInfo[] {
    return [...this.roles.values()].map((r) => ({ name: r.name, grants: [...r.grants], idleTimeoutMs: r.idleTimeoutMs }));
  }

  state(s: Session): SessionState {
    return this.sessions.state(s);
  }

  // ── sign-in ──────────────────────────────────────────────────────────────────────────────

  async signIn(s: Session, userId: string, password: string): Promise<SessionState> {
    const r = await this.authenticator.password(userId, password, s.station);
    return this.complete(s, r, userId, 'password', SIGN_IN_REFUSED);
  }

  async signInBadge(s: Session, badge: string, pin: string): Promise<SessionState> {
    const r = await this.authenticator.badge(badge, pin, s.station);
    return this.complete(s, r, r.ok || r.user ? (r.user?.id ?? '') : '(unknown badge)', 'badge', BADGE_REFUSED);
  }

  private complete(s: Session, r: CheckResult, typedId: string, how: 'password' | 'badge', refusal: string): SessionState {
    if (!r.ok) {
      const detail = { unknown_user: 'unknown user id', wrong_secret: how === 'badge' ? 'wrong PIN' : 'wrong password', locked: 'account locked', disabled: 'account disabled', no_badge_pin: 'badge without PIN' }[r.cause];
      this.record(s, r.user?.id ?? VIEWER, 'session.signIn', r.user?.id ?? typedId.slice(0, 64), 'refused', `${how}: ${detail}${r.lockedNow ? ' (now locked)' : ''}`);
      throw new ApiError({ code: 'unauthenticated', message: refusal });
    }
    const previous = s.phase.kind === 'signedOut' ? null : s.phase.user.id;
    if (previous !== null && previous.toLowerCase() !== r.user.id.toLowerCase()) this.record(s, previous, 'session.signOut', previous, 'done', `${r.user.id} signed in at this station`);
    this.sessions.signIn(s, sessionUser(r.user), this.passwordExpired(r.user));
    this.record(s, r.user.id, 'session.signIn', r.user.id, 'done', `${how}${previous !== null && previous !== r.user.id ? `, after ${previous}` : ''}`);
    return this.state(s);
  }

  /** Back to viewer: by the user, or (`idle`) because the screen saw nobody for the role's idle time. */
  signOut(s: Session, idle = false): SessionState {
    const idleMs = s.phase.kind === 'signedOut' ? null : this.rolePolicy(s.phase.user.roles).idleTimeoutMs;
    const why = idle && idleMs !== null ? `signed out after ${Math.round(idleMs / 60_000)} min without activity` : null;
    const user = this.sessions.signOut(s, why);
    if (user) this.record(s, user.id, 'session.signOut', user.id, 'done', why ?? 'by the user');
    return this.state(s);
  }

  lock(s: Session): SessionState {
    if (s.phase.kind !== 'signedIn') throw new ApiError({ code: 'refused', message: 'nobody is signed in: there is nothing to lock' });
    this.sessions.lock(s);
    this.record(s, s.phase.user.id, 'session.lock', s.phase.user.id, 'done', '');
    return this.state(s);
  }

  async unlock(s: Session, secret: string): Promise<SessionState> {
    if (s.phase.kind !== 'locked') throw new ApiError({ code: 'refused', message: 'the screen is not locked' });
    const stored = this.users.get(s.phase.user.id);
    const r = stored ? await this.authenticator.reauthenticate(stored, secret, s.station) : null;
    if (!r?.ok) {
      this.record(s, s.phase.user.id, 'session.unlock', s.phase.user.id, 'refused', 'wrong password or PIN');
      throw new ApiError({ code: 'unauthenticated', message: 'Unlock refused: the password or PIN is wrong, or the account is locked.' });
    }
    this.sessions.unlock(s);
    this.record(s, r.user.id, 'session.unlock', r.user.id, 'done', '');
    return this.state(s);
  }

  activity(s: Session): void {
    this.sessions.activity(s);
  }

  async changePassword(s: Session, current: string, next: string): Promise<SessionState> {
    if (s.phase.kind === 'signedOut') throw new ApiError({ code: 'forbidden', message: 'sign in to change your password' });
    const user = this.users.get(s.phase.user.id);
    const r = user ? await this.authenticator.reauthenticate(user, current, s.station) : null;
    if (!r?.ok) {
      this.record(s, s.phase.user.id, 'user.changePassword', s.phase.user.id, 'refused', 'wrong current password');
      throw new ApiError({ code: 'unauthenticated', message: 'the current password is wrong' });
    }
    this.checkPasswordRules(next, r.user.id);
    if (next === current) throw new ApiError({ code: 'bad_request', message: 'the new password must differ from the current one' });
    this.users.setPassword(r.user.id, await hashSecret(next), this.d.clock.now());
    this.sessions.passwordChanged(s);
    this.record(s, r.user.id, 'user.changePassword', r.user.id, 'done', '');
    return this.state(s);
  }

  /** First run: no user exists yet. Creates the first administrator and signs them in. */
  async createFirstAdmin(s: Session, userId: string, name: string, password: string): Promise<SessionState> {
    if (this.users.size() > 0) throw new ApiError({ code: 'refused', message: 'users exist already: an administrator creates further users; a lost admin password is reset with `npm run users` on this PC' });
    this.checkPasswordRules(password, userId);
    const hash = await hashSecret(password);
    let user: StoredUser;
    try {
      user = this.users.create({ id: userId, name, roles: ['admin'], passwordHash: hash, now: this.d.clock.now() }, true);
    } catch (err) {
      if (err instanceof UserExists) throw new ApiError({ code: 'refused', message: 'users exist already' });
      throw err;
    }
    this.record(s, user.id, 'user.create', user.id, 'done', 'first administrator (first run)', null, { name, roles: ['admin'] });
    this.sessions.signIn(s, sessionUser(user), false);
    this.record(s, user.id, 'session.signIn', user.id, 'done', 'first administrator');
    return this.state(s);
  }

  // ── user management (users.manage) ──────────────────────────────────────────────────────

  listUsers(): UserInfo[] {
    return this.users.list().map(publicUser);
  }

  createUser(c: Caller, u: { userId: string; name: string; roles: string[]; password: string }): Promise<UserInfo> {
    return this.refusalsOnRecord(c, 'user.create', u.userId, () => this.doCreateUser(c, u));
  }

  updateUser(c: Caller, change: { userId: string; name?: string; roles?: string[]; enabled?: boolean }): Promise<UserInfo> {
    return this.refusalsOnRecord(c, 'user.update', change.userId, () => this.doUpdateUser(c, change));
  }

  resetPassword(c: Caller, userId: string, password: string): Promise<UserInfo> {
    return this.refusalsOnRecord(c, 'user.resetPassword', userId, () => this.doResetPassword(c, userId, password));
  }

  setBadge(c: Caller, userId: string, badge: string | null, pin: string | undefined): Promise<UserInfo> {
    return this.refusalsOnRecord(c, badge === null ? 'user.clearBadge' : 'user.setBadge', userId, () => this.doSetBadge(c, userId, badge, pin));
  }

  unlockUser(c: Caller, userId: string): Promise<UserInfo> {
    return this.refusalsOnRecord(c, 'user.unlock', userId, () => this.doUnlockUser(c, userId));
  }

  /** A user-management change the runtime refuses (rules, last administrator, a taken badge) goes on record too. */
  private async refusalsOnRecord<T>(c: Caller, action: string, target: string, run: () => T | Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof ApiError) this.d.record({ ts: this.d.clock.now(), user: c.actor.user, station: c.station, action, target, oldValue: null, newValue: null, outcome: 'refused', detail: err.message });
      throw err;
    }
  }

  private async doCreateUser(c: Caller, u: { userId: string; name: string; roles: string[]; password: string }): Promise<UserInfo> {
    this.checkRoles(u.roles);
    this.checkPasswordRules(u.password, u.userId);
    const hash = await hashSecret(u.password);
    try {
      const created = this.users.create({ id: u.userId, name: u.name, roles: u.roles, passwordHash: hash, now: this.d.clock.now() });
      this.recordBy(c, 'user.create', created.id, null, { name: u.name, roles: u.roles }, '');
      return publicUser(created);
    } catch (err) {
      if (err instanceof UserExists) throw new ApiError({ code: 'refused', message: err.message, context: { userId: u.userId } });
      throw err;
    }
  }

  private doUpdateUser(c: Caller, change: { userId: string; name?: string; roles?: string[]; enabled?: boolean }): UserInfo {
    const before = this.requireUser(change.userId);
    if (change.roles) this.checkRoles(change.roles);
    const self = c.userId?.toLowerCase() === before.id.toLowerCase();
    // Whatever the roles are called: nobody takes user management away from themselves.
    const manages = (roles: readonly string[]) => grantsAllow(this.rolePolicy(roles).grants, 'users.manage');
    if (self && (change.enabled === false || (change.roles && manages(before.roles) && !manages(change.roles)))) {
      throw new ApiError({ code: 'refused', message: 'you cannot disable yourself or take away your own user management (admin) role: another administrator must do it' });
    }
    if (before.roles.includes('admin') && (change.enabled === false || (change.roles && !change.roles.includes('admin'))) && this.activeAdmins() <= 1) {
      throw new ApiError({ code: 'refused', message: `${before.id} is the last enabled administrator` });
    }
    const after = this.users.update(before.id, change)!;
    this.recordBy(c, 'user.update', after.id, { name: before.name, roles: before.roles, enabled: before.enabled }, { name: after.name, roles: after.roles, enabled: after.enabled }, '');
    this.sessions.userChanged(after.id, after.enabled ? sessionUser(after) : null);
    return publicUser(after);
  }

  private async doResetPassword(c: Caller, userId: string, password: string): Promise<UserInfo> {
    const user = this.requireUser(userId);
    this.checkPasswordRules(password, user.id);
    // Set by someone else: it ages at once, so the user picks their own at the next sign-in.
    this.users.setPassword(user.id, await hashSecret(password), c.userId?.toLowerCase() === user.id.toLowerCase() ? this.d.clock.now() : 0);
    this.recordBy(c, 'user.resetPassword', user.id, null, null, 'must be changed at the next sign-in');
    return publicUser(this.users.get(user.id)!);
  }

  private async doSetBadge(c: Caller, userId: string, badge: string | null, pin: string | undefined): Promise<UserInfo> {
    const user = this.requireUser(userId);
    if (badge !== null && pin === undefined) throw new ApiError({ code: 'bad_request', message: 'a badge needs a PIN (4 to 12 digits)' });
    const r = this.users.setBadge(user.id, badge, badge === null ? null : await hashSecret(pin!));
    if (r === 'taken') throw new ApiError({ code: 'refused', message: 'this badge belongs to another user' });
    this.recordBy(c, badge === null ? 'user.clearBadge' : 'user.setBadge', user.id, null, null, '');
    return publicUser(this.users.get(user.id)!);
  }

  private doUnlockUser(c: Caller, userId: string): UserInfo {
    const user = this.requireUser(userId);
    this.users.clearFailures(user.id);
    this.recordBy(c, 'user.unlock', user.id, user.lockedUntil, null, `${user.failedAttempts} failed attempts cleared`);
    return publicUser(this.users.get(user.id)!);
  }

  /** Password rules from the project: length, not the user id. Names what is wrong. */
  checkPasswordRules(password: string, userId: string): void {
    const min = this.d.section.password.minLength;
    if (password.length < min) throw new ApiError({ code: 'bad_request', message: `the password needs at least ${min} characters` });
    if (password.toLowerCase().includes(userId.toLowerCase())) throw new ApiError({ code: 'bad_request', message: 'the password must not contain the user id' });
  }

  passwordPolicy(): { minLength: number; maxAgeDays: number | null } {
    return { ...this.d.section.password };
  }

  close(): void {
    this.sessions.close();
    if (this.alarmTimer !== null) this.d.clock.clearTimeout(this.alarmTimer);
  }

  private passwordExpired(u: StoredUser): boolean {
    if (u.passwordChangedAt === 0) return true;
    const days = this.d.section.password.maxAgeDays;
    return days !== null && this.d.clock.now() - u.passwordChangedAt > days * DAY_MS;
  }

  private raiseAlarm(forMs: number): void {
    this.d.signInAlarm(true);
    if (this.alarmTimer !== null) this.d.clock.clearTimeout(this.alarmTimer);
    this.alarmTimer = this.d.clock.setTimeout(() => {
      this.alarmTimer = null;
      this.d.signInAlarm(false);
    }, forMs);
  }

  private activeAdmins(): number {
    return this.users.list().filter((u) => u.enabled && u.roles.includes('admin')).length;
  }

  private checkRoles(roles: readonly string[]): void {
    const unknown = roles.filter((r) => !this.roles.has(r));
    if (unknown.length > 0) throw new ApiError({ code: 'bad_request', message: `unknown role(s) ${unknown.join(', ')} (roles: ${[...this.roles.keys()].join(', ')})` });
  }

  private requireUser(id: string): StoredUser {
    const u = this.users.get(id);
    if (!u) throw new ApiError({ code: 'not_found', message: `no user "${id}"`, context: { userId: id } });
    return u;
  }

  private record(s: Session, user: string, action: string, target: string, outcome: 'done' | 'refused', detail: string, oldValue: unknown = null, newValue: unknown = null): void {
    this.d.record({ ts: this.d.clock.now(), user, station: s.station, action, target, oldValue, newValue, outcome, detail });
  }

  private recordBy(c: Caller, action: string, target: string, oldValue: unknown, newValue: unknown, detail: string): void {
    this.d.record({ ts: this.d.clock.now(), user: c.actor.user, station: c.station, signatureId: c.signatureId, action, target, oldValue, newValue, outcome: 'done', detail });
  }
}

export function sessionUser(u: StoredUser): SessionUser {
  return { id: u.id, name: u.name, roles: [...u.roles] };
}
