import { grantsAllow, permissionLabels, type PermissionName, type SessionState } from '../../shared/security';

/** Whether this session may do something, and if not, why, in words for a tooltip or a note. */
export interface May {
  allowed: boolean;
  /** null when allowed */
  why: string | null;
}

/**
 * The screen's view of a permission: the runtime decides (and refuses what is not allowed);
 * this only hides or greys out what would be refused, and says why.
 */
export function may(session: SessionState | null, permission: PermissionName, area?: string | null): May {
  if (session === null) return { allowed: false, why: 'connecting to the runtime' };
  const what = permissionLabels[permission] + (area ? ` in area ${area}` : '');
  if (session.locked) return { allowed: false, why: `the screen is locked: unlock it to ${what}` };
  if (grantsAllow(session.grants, permission, area)) return { allowed: true, why: null };
  const u = session.user;
  if (u === null) return { allowed: false, why: `sign in to ${what}` };
  return { allowed: false, why: `${u.name} (${u.roles.join(', ')}) may not ${what}` };
}
