/**
 * The security settings as this module takes them (main/config/security-schema.ts reads them
 * from the project file; the app passes them in, so that this module does not know the file).
 */
import type { Grant, SignatureMeaning } from '../../shared/security';

export interface RoleDefinition {
  name: string;
  grants: Grant[];
  idleTimeoutMs: number | null;
}

export interface SignatureRule {
  action: 'tags.write' | 'alarms.shelve' | 'alarms.removeFromService' | 'opcua.trustCertificate' | 'sync.deleteQuarantined';
  tags?: string[];
  priorities?: number[];
  kind: 'signature' | 'verification';
  meaning: SignatureMeaning;
  comment: boolean;
  verifierRoles: string[];
}

export interface SecuritySettings {
  roles: ReadonlyMap<string, RoleDefinition>;
  lockout: { attempts: number; minutes: number; unknownIdFailures: number };
  password: { minLength: number; maxAgeDays: number | null };
  signatures: readonly SignatureRule[];
}
