/**
 * How the People screen writes users and audit records, and what it checks before it sends.
 * Pure: no DOM, no React (unit tests in test/unit/people-format.test.ts). Times are epoch ms on
 * the wire and local time on screen.
 */
import type { UserInfo } from '../../../shared/security';
import { formatDateTime } from '../../ui/datetime';

const pad = (n: number) => String(n).padStart(2, '0');

/** Local date and time in the project's format (renderer/ui/datetime.ts): "2026-03-04 14:05:09". */
export function formatLocalDateTime(epochMs: number): string {
  return formatDateTime(epochMs, true);
}

/** A `datetime-local` input's value (local time, minutes) for a time. */
export function toLocalInput(epochMs: number): string {
  const d = new Date(epochMs);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A `datetime-local` value (local time) as epoch ms; undefined when empty or not a time. */
export function fromLocalInput(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text.trim());
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s] = m;
  const ms = new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), s === undefined ? 0 : Number(s)).getTime();
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

/** The filters as the user typed them on the Audit panel. */
export interface AuditFilterInput {
  user: string;
  action: string;
  target: string;
  /** `datetime-local` values */
  from: string;
  to: string;
}

export const EMPTY_AUDIT_FILTER: AuditFilterInput = { user: '', action: '', target: '', from: '', to: '' };

export interface AuditFilterParams {
  user?: string;
  action?: string;
  target?: string;
  from?: number;
  to?: number;
}

/**
 * The params of `audit.query` / `audit.csv` for these filters, or what is wrong with them.
 * "To" is inclusive of the whole minute typed (a datetime-local has no seconds).
 */
export function auditFilterParams(f: AuditFilterInput): { params: AuditFilterParams; error: null } | { params: null; error: string } {
  const params: AuditFilterParams = {};
  if (f.user.trim() !== '') params.user = f.user.trim();
  if (f.action.trim() !== '') params.action = f.action.trim();
  if (f.target.trim() !== '') params.target = f.target.trim();
  if (f.from.trim() !== '') {
    const from = fromLocalInput(f.from);
    if (from === undefined) return { params: null, error: 'the "from" time is not a date and time' };
    params.from = from;
  }
  if (f.to.trim() !== '') {
    const to = fromLocalInput(f.to);
    if (to === undefined) return { params: null, error: 'the "to" time is not a date and time' };
    params.to = to + 59_999;
  }
  if (params.from !== undefined && params.to !== undefined && params.from > params.to) return { params: null, error: '"from" is after "to"' };
  return { params, error: null };
}

/** An old or new value on record: scalars as they are, structures as compact JSON. */
export function formatAuditValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const plain = (v: unknown): string => (Array.isArray(v) && v.every((x) => typeof x !== 'object' || x === null) ? v.join(', ') : formatAuditValue(v));

/**
 * Old → new as lines a person reads: two records (a user's name, roles, enabled) as only the
 * fields that changed ("enabled: true → false"); a new record as its fields; scalars as
 * "120 → 135". Nothing on either side: no lines.
 */
export function formatAuditChange(oldValue: unknown, newValue: unknown): string[] {
  const none = (v: unknown) => v === null || v === undefined;
  if (none(oldValue) && none(newValue)) return [];
  if (isRecord(oldValue) && isRecord(newValue)) {
    const keys = [...new Set([...Object.keys(oldValue), ...Object.keys(newValue)])];
    const changed = keys.filter((k) => JSON.stringify(oldValue[k]) !== JSON.stringify(newValue[k]));
    if (changed.length === 0) return ['no change'];
    return changed.map((k) => `${k}: ${none(oldValue[k]) ? '—' : plain(oldValue[k])} → ${none(newValue[k]) ? '—' : plain(newValue[k])}`);
  }
  if (none(oldValue) && isRecord(newValue)) return Object.entries(newValue).map(([k, v]) => `${k}: ${plain(v)}`);
  return [`${none(oldValue) ? '—' : plain(oldValue)} → ${none(newValue) ? '—' : plain(newValue)}`];
}

/** The start of a hash, enough to compare by eye. */
export function shortHash(hash: string, length = 10): string {
  return hash.length <= length ? hash : `${hash.slice(0, length)}…`;
}

/** The download's name: lineside-audit-YYYY-MM-DD.csv (local date of the export). */
export function auditCsvFileName(now: number): string {
  const d = new Date(now);
  return `lineside-audit-${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}.csv`;
}

/** The user's lockout as a line of the users table (the time alone when it is today); null when they can sign in. */
export function lockoutText(u: Pick<UserInfo, 'lockedUntil' | 'failedAttempts'>, now: number): string | null {
  if (u.lockedUntil !== null && u.lockedUntil > now) {
    const until = formatLocalDateTime(u.lockedUntil);
    return `locked until ${until.slice(0, 10) === formatLocalDateTime(now).slice(0, 10) ? until.slice(11) : until}`;
  }
  if (u.failedAttempts > 0) return `${u.failedAttempts} failed ${u.failedAttempts === 1 ? 'attempt' : 'attempts'}`;
  return null;
}

/** Whether an unlock does anything: a lockout still running, or failures counted. */
export function mayUnlock(u: Pick<UserInfo, 'lockedUntil' | 'failedAttempts'>, now: number): boolean {
  return (u.lockedUntil !== null && u.lockedUntil > now) || u.failedAttempts > 0;
}

/** What a new password is missing: the project's rules as far as the screen knows them. */
export function passwordProblem(password: string, repeat: string, minLength: number, userId: string): string | null {
  if (password.length < minLength) return `the password needs at least ${minLength} characters`;
  if (userId.trim() !== '' && password.toLowerCase().includes(userId.trim().toLowerCase())) return 'the password must not contain the user id';
  if (password !== repeat) return 'the two passwords differ';
  return null;
}

const USER_ID = /^[A-Za-z0-9][A-Za-z0-9_.@-]*$/;

/** What is wrong with a user id, as the runtime's rule says (shared/security-api.ts). */
export function userIdProblem(id: string): string | null {
  const t = id.trim();
  if (t.length < 2) return 'a user id has at least 2 characters';
  if (t.length > 64) return 'a user id has at most 64 characters';
  if (!USER_ID.test(t)) return 'use letters, digits and _ . @ - (starting with a letter or digit)';
  return null;
}

export function printedNameProblem(name: string): string | null {
  return name.trim().length < 2 ? 'give the full printed name' : null;
}

/** A badge code and PIN as the runtime accepts them. */
export function badgeProblem(badge: string, pin: string, repeat: string): string | null {
  const b = badge.trim();
  if (b.length < 4) return 'a badge code has at least 4 characters';
  if (!/^[A-Za-z0-9:_-]+$/.test(b)) return 'a badge code has letters, digits and : _ - only';
  if (!/^\d{4,12}$/.test(pin)) return 'a PIN is 4 to 12 digits';
  if (pin !== repeat) return 'the two PINs differ';
  return null;
}

/**
 * Why the signed-in person may not make this change to their own account: disabling themselves
 * or taking away their own user management would lock them out. null: nothing against it.
 * `manageRoles` are the roles that grant users.manage.
 */
export function selfChangeProblem(
  selfId: string | null,
  target: Pick<UserInfo, 'id' | 'roles'>,
  change: { enabled?: boolean; roles?: readonly string[] },
  manageRoles: readonly string[],
): string | null {
  if (selfId === null || selfId.toLowerCase() !== target.id.toLowerCase()) return null;
  if (change.enabled === false) return 'you cannot disable your own account: another administrator must do it';
  if (change.roles !== undefined) {
    const hadManage = target.roles.some((r) => manageRoles.includes(r));
    const keepsManage = change.roles.some((r) => manageRoles.includes(r));
    if (hadManage && !keepsManage) return 'you cannot take away your own user management role: another administrator must do it';
    if (target.roles.includes('admin') && !change.roles.includes('admin')) return 'you cannot take away your own admin role: another administrator must do it';
  }
  return null;
}

/** Roles in the project's order, the chosen ones only. */
export function orderedRoles(chosen: ReadonlySet<string>, projectRoles: readonly string[]): string[] {
  return projectRoles.filter((r) => chosen.has(r));
}
