/**
 * Small pieces of the people side's wiring: the sign-in alarm (an alarm like any other, on an
 * internal tag that the security service sets while a lockout or a burst of failures on unknown
 * user ids is recent), and the validation of the signature that may go with a call.
 */
import { ApiError, type MethodName } from '../../shared/api';
import { GOOD } from '../../shared/quality';
import type { SignatureInput } from '../../shared/security';
import { signatureInputSchema } from '../../shared/security-api';
import type { TagValue } from '../../shared/types';
import { alarmDefinitionSchema } from '../config/alarm-schema';
import type { Project } from '../config/project-schema';

export const SIGN_IN_ALARM_TAG = 'Lineside.SignInAlert';
export const SIGN_IN_ALARM_ID = 'Lineside.SignIn';

/** The project with the built-in sign-in alarm added (priority 2, area of the line). */
export function withSignInAlarm(project: Project): Project {
  if (project.alarms.definitions.some((d) => d.id === SIGN_IN_ALARM_ID)) return project;
  const def = alarmDefinitionSchema.parse({
    id: SIGN_IN_ALARM_ID,
    type: 'discrete',
    tag: SIGN_IN_ALARM_TAG,
    equals: true,
    priority: 2,
    area: project.line,
    message: 'Repeated failed sign-ins: an account was locked, or unknown user ids were tried',
    response: 'Find out who is at the panel. The audit trail (Audit screen) lists each attempt; an administrator can unlock the account.',
  });
  return { ...project, alarms: { ...project.alarms, definitions: [...project.alarms.definitions, def] } };
}

export function signInAlarmValue(active: boolean, now: number): TagValue {
  return { tagId: SIGN_IN_ALARM_TAG, value: active, quality: GOOD, sourceTs: now, ts: now };
}

export function parseSignature(method: MethodName, signature: unknown): SignatureInput | undefined {
  if (signature === undefined || signature === null) return undefined;
  const r = signatureInputSchema.safeParse(signature);
  if (!r.success) {
    const detail = r.error.issues.map((i) => `signature.${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ApiError({ code: 'bad_request', message: `${method}: invalid signature: ${detail}`, context: { method } });
  }
  return r.data;
}
