/**
 * Sessions: who is at a station. A session belongs to one connection (a WebSocket, or the
 * browser's session cookie so that a reload keeps it) or to the desktop window; the shells hold
 * its id, the runtime holds everything else. Nothing secret leaves the runtime.
 *
 *                 signIn / badge+PIN / first admin
 *   ┌───────────┐ ─────────────────────────────▶ ┌──────────┐   lock    ┌────────┐
 *   │ signedOut │                                 │ signedIn │ ────────▶ │ locked │
 *   │ (viewer)  │ ◀───── signOut · idle ───────── │          │ ◀──────── │        │
 *   └───────────┘ ◀───── signOut · idle · another user signs in ──────── └────────┘
 *                                                          unlock (same user's secret)
 *
 * Idle sign-out: each signed-in (or locked) session has one timer on the injected clock, moved
 * on by activity; when it fires the session goes back to viewer with a notice saying why. The
 * timeout comes from the user's roles (the shortest of them).
 */
import type { Grant, SessionState, SessionUser } from '../../shared/security';
import type { Clock, TimerHandle } from '../util/clock';

export type SessionPhase =
  | { kind: 'signedOut' }
  | { kind: 'signedIn'; user: SessionUser; since: number; lastActivity: number; mustChangePassword: boolean }
  | { kind: 'locked'; user: SessionUser; since: number; lastActivity: number; mustChangePassword: boolean };

export interface Session {
  readonly id: string;
  readonly station: string;
  phase: SessionPhase;
  notice: string | null;
  timer: TimerHandle | null;
  /** connections using this session now */
  connections: number;
}

export interface SessionManagerDeps {
  clock: Clock;
  /** the grants and idle timeout of a set of roles (unknown roles grant nothing) */
  rolePolicy: (roles: readonly string[]) => { grants: Grant[]; idleTimeoutMs: number | null };
  setupRequired: () => boolean;
  /** a session went back to viewer on its own (idle) */
  onIdleSignOut: (session: Session, user: SessionUser, idleMs: number) => void;
  onChange: (session: Session) => void;
}

export class SessionManager {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly deps: SessionManagerDeps) {}

  /** The session with this id, made (signed out, a viewer) when there is none. */
  attach(id: string, station: string): Session {
    let s = this.sessions.get(id);
    if (!s) {
      s = { id, station, phase: { kind: 'signedOut' }, notice: null, timer: null, connections: 0 };
      this.sessions.set(id, s);
    }
    s.connections++;
    return s;
  }

  /** A connection closed. A signed-out session without connections is forgotten. */
  detach(s: Session): void {
    s.connections = Math.max(0, s.connections - 1);
    if (s.connections === 0 && s.phase.kind === 'signedOut') this.forget(s);
  }

  get(id: string): Session | undefined {
    return this.sessions.get(id);
  }

  all(): Session[] {
    return [...this.sessions.values()];
  }

  signIn(s: Session, user: SessionUser, mustChangePassword: boolean): void {
    const now = this.deps.clock.now();
    s.phase = { kind: 'signedIn', user, since: now, lastActivity: now, mustChangePassword };
    s.notice = null;
    this.arm(s);
    this.deps.onChange(s);
  }

  signOut(s: Session, notice: string | null = null): SessionUser | null {
    const user = s.phase.kind === 'signedOut' ? null : s.phase.user;
    this.disarm(s);
    s.phase = { kind: 'signedOut' };
    s.notice = notice;
    this.deps.onChange(s);
    if (s.connections === 0) this.forget(s);
    return user;
  }

  lock(s: Session): boolean {
    if (s.phase.kind !== 'signedIn') return false;
    s.phase = { ...s.phase, kind: 'locked' };
    this.deps.onChange(s);
    return true;
  }

  unlock(s: Session): boolean {
    if (s.phase.kind !== 'locked') return false;
    s.phase = { ...s.phase, kind: 'signedIn', lastActivity: this.deps.clock.now() };
    this.arm(s);
    this.deps.onChange(s);
    return true;
  }

  passwordChanged(s: Session): void {
    if (s.phase.kind === 'signedOut') return;
    s.phase = { ...s.phase, mustChangePassword: false };
    this.deps.onChange(s);
  }

  /** A person is at the screen: the idle timer starts again. */
  activity(s: Session): void {
    if (s.phase.kind === 'signedOut') return;
    s.phase.lastActivity = this.deps.clock.now();
    this.arm(s);
  }

  /** The user's name or roles changed, or the user was disabled: sessions follow at once. */
  userChanged(userId: string, user: SessionUser | null): void {
    for (const s of this.sessions.values()) {
      if (s.phase.kind === 'signedOut' || s.phase.user.id.toLowerCase() !== userId.toLowerCase()) continue;
      if (user === null) this.signOut(s, 'signed out: the account was disabled');
      else {
        s.phase = { ...s.phase, user };
        this.arm(s);
        this.deps.onChange(s);
      }
    }
  }

  state(s: Session): SessionState {
    const p = s.phase;
    if (p.kind === 'signedOut') {
      return { user: null, grants: ['view'], locked: false, signedInAt: null, idleTimeoutMs: null, lastActivity: null, setupRequired: this.deps.setupRequired(), mustChangePassword: false, station: s.station, notice: s.notice };
    }
    const policy = this.deps.rolePolicy(p.user.roles);
    // A locked screen, or a password that must be changed first, may only look.
    const grants: Grant[] = p.kind === 'locked' || p.mustChangePassword ? ['view'] : policy.grants;
    return { user: p.user, grants, locked: p.kind === 'locked', signedInAt: p.since, idleTimeoutMs: policy.idleTimeoutMs, lastActivity: p.lastActivity, setupRequired: false, mustChangePassword: p.mustChangePassword, station: s.station, notice: s.notice };
  }

  close(): void {
    for (const s of this.sessions.values()) this.disarm(s);
    this.sessions.clear();
  }

  private arm(s: Session): void {
    this.disarm(s);
    if (s.phase.kind === 'signedOut') return;
    const idle = this.deps.rolePolicy(s.phase.user.roles).idleTimeoutMs;
    if (idle === null) return;
    const due = s.phase.lastActivity + idle - this.deps.clock.now();
    s.timer = this.deps.clock.setTimeout(() => {
      s.timer = null;
      if (s.phase.kind === 'signedOut') return;
      const user = s.phase.user;
      this.signOut(s, `signed out after ${Math.round(idle / 60_000)} min without activity`);
      this.deps.onIdleSignOut(s, user, idle);
    }, Math.max(0, due));
  }

  private disarm(s: Session): void {
    if (s.timer !== null) this.deps.clock.clearTimeout(s.timer);
    s.timer = null;
  }

  private forget(s: Session): void {
    this.disarm(s);
    this.sessions.delete(s.id);
  }
}
