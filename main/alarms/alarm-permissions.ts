/**
 * Who may do what with an alarm, checked in the runtime before every action (never only in the
 * UI). Until the users issue brings sign-in, every caller is "anonymous", which counts as an
 * operator: the demo and a line without accounts stay fully usable for day-to-day alarm work
 * (acknowledge, shelve within the limits, reset, comment), while taking an alarm out of service
 * — which silences it with no expiry — needs an engineer, as ISA-18.2 asks of it (authorised,
 * with a reason, on record). The users issue replaces `roleOf` with the signed-in user's role.
 */
import { alarmActions, type AlarmAction, type AlarmPermissions, type AlarmRole } from '../../shared/alarms';

export const ANONYMOUS_USER = 'anonymous';

const ROLE_ACTIONS: Record<AlarmRole, ReadonlySet<AlarmAction>> = {
  viewer: new Set(),
  operator: new Set(['acknowledge', 'shelve', 'unshelve', 'reset', 'comment']),
  engineer: new Set(alarmActions),
};

/** Until accounts exist every user is anonymous, and anonymous is an operator. */
export function roleOf(user: string, roles: ReadonlyMap<string, AlarmRole> = new Map()): AlarmRole {
  return roles.get(user) ?? 'operator';
}

export function canPerform(user: string, action: AlarmAction, roles?: ReadonlyMap<string, AlarmRole>): boolean {
  return ROLE_ACTIONS[roleOf(user, roles)].has(action);
}

export function requiredRole(action: AlarmAction): AlarmRole {
  return ROLE_ACTIONS.operator.has(action) ? 'operator' : 'engineer';
}

export function permissionsOf(user: string, roles?: ReadonlyMap<string, AlarmRole>): AlarmPermissions {
  const role = roleOf(user, roles);
  const allowed = Object.fromEntries(alarmActions.map((a) => [a, ROLE_ACTIONS[role].has(a)])) as Record<AlarmAction, boolean>;
  return { user, role, allowed };
}
