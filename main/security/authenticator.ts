/**
 * Checks credentials: user id + password, or badge + PIN, and a signer's secret again. Applies
 * the lockout (Part 11 §11.300(d)): a run of failed attempts locks the user for a while; that,
 * and a burst of failures on user ids nobody has, raises the sign-in alarm and goes on record.
 * Every refusal gives the same words, whatever the cause, and costs the same KDF time, so the
 * answer does not tell which user ids exist.
 */
import type { Clock } from '../util/clock';
import { prepareDecoy, verifyDecoy, verifySecret } from './password-hasher';
import type { StoredUser, UserStore } from './user-store';

export const SIGN_IN_REFUSED = 'Sign-in refused: the user id or password is wrong, or the account is locked or disabled.';
export const BADGE_REFUSED = 'Sign-in refused: the badge or PIN is wrong, or the account is locked or disabled.';

export interface LockoutPolicy {
  attempts: number;
  lockMs: number;
  unknownIdFailures: number;
  unknownIdWindowMs: number;
}

/** Why a sign-in failed, for the record (never for the person at the screen). */
export type FailureCause = 'unknown_user' | 'wrong_secret' | 'locked' | 'disabled' | 'no_badge_pin';

export type CheckResult = { ok: true; user: StoredUser } | { ok: false; cause: FailureCause; user: StoredUser | null; lockedNow: boolean };

export interface SecurityAlerts {
  /** a user was locked out after `failures` attempts */
  lockedOut(userId: string, failures: number, until: number, station: string): void;
  /** `count` failures on unknown user ids within the window at this station */
  unknownIds(count: number, station: string): void;
}

export class Authenticator {
  /** failure times on unknown ids, per station */
  private readonly unknown = new Map<string, number[]>();

  constructor(
    private readonly users: UserStore,
    private readonly clock: Clock,
    private readonly policy: LockoutPolicy,
    private readonly alerts: SecurityAlerts,
  ) {
    // The decoy hash for unknown user ids, made now rather than on the first one (password-hasher.ts).
    prepareDecoy().catch(() => undefined);
  }

  async password(userId: string, password: string, station: string): Promise<CheckResult> {
    const user = this.users.get(userId);
    if (!user) {
      await verifyDecoy(password);
      this.unknownFailure(station);
      return { ok: false, cause: 'unknown_user', user: null, lockedNow: false };
    }
    return this.check(user, password, user.passwordHash, station);
  }

  async badge(badge: string, pin: string, station: string): Promise<CheckResult> {
    const user = this.users.findByBadge(badge);
    if (!user || user.pinHash === null) {
      await verifyDecoy(pin);
      this.unknownFailure(station);
      return { ok: false, cause: user ? 'no_badge_pin' : 'unknown_user', user, lockedNow: false };
    }
    return this.check(user, pin, user.pinHash, station);
  }

  /** The signed-in user's secret again (a signature, an unlock): password or, with a badge, PIN. */
  async reauthenticate(user: StoredUser, secret: string, station: string): Promise<CheckResult> {
    if (this.isLocked(user)) return { ok: false, cause: 'locked', user, lockedNow: false };
    if (await verifySecret(secret, user.passwordHash)) return this.succeed(user);
    if (user.pinHash !== null && (await verifySecret(secret, user.pinHash))) return this.succeed(user);
    return this.fail(user, station);
  }

  private async check(user: StoredUser, secret: string, hash: string, station: string): Promise<CheckResult> {
    // The KDF runs whatever the account's state, so a locked or disabled account answers as slowly.
    const good = await verifySecret(secret, hash);
    if (!user.enabled) return { ok: false, cause: 'disabled', user, lockedNow: false };
    if (this.isLocked(user)) return { ok: false, cause: 'locked', user, lockedNow: false };
    if (good) return this.succeed(user);
    return this.fail(user, station);
  }

  private isLocked(user: StoredUser): boolean {
    return user.lockedUntil !== null && user.lockedUntil > this.clock.now();
  }

  private succeed(user: StoredUser): CheckResult {
    if (user.failedAttempts > 0 || user.lockedUntil !== null) this.users.clearFailures(user.id);
    return { ok: true, user };
  }

  private fail(user: StoredUser, station: string): CheckResult {
    const until = this.clock.now() + this.policy.lockMs;
    // An expired lock starts a fresh count.
    if (user.lockedUntil !== null && user.lockedUntil <= this.clock.now()) this.users.clearFailures(user.id);
    const r = this.users.recordFailure(user.id, this.policy.attempts, until);
    if (r.locked && r.failures === this.policy.attempts) this.alerts.lockedOut(user.id, r.failures, until, station);
    return { ok: false, cause: 'wrong_secret', user, lockedNow: r.locked };
  }

  private unknownFailure(station: string): void {
    const now = this.clock.now();
    const recent = (this.unknown.get(station) ?? []).filter((t) => t > now - this.policy.unknownIdWindowMs);
    recent.push(now);
    this.unknown.set(station, recent);
    if (recent.length === this.policy.unknownIdFailures) this.alerts.unknownIds(recent.length, station);
  }
}
