/**
 * Who is calling: what every API handler receives beside its params (never a global). Made by
 * the access guard after the permission check and any signature.
 */
import type { Actor } from '../../shared/types';
import type { Grant } from '../../shared/security';

export const VIEWER = '(viewer)';

export interface Caller {
  /** null: nobody is signed in (a viewer) */
  userId: string | null;
  name: string;
  roles: readonly string[];
  grants: readonly Grant[];
  station: string;
  sessionId: string;
  /** the signature given with this call, when the project asked for one */
  signatureId: number | null;
  /** what records of this call carry */
  actor: Actor;
}
