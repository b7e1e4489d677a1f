/**
 * The built-in alarm of work instructions: a run waits on a machine condition past the step's
 * timeout (the machine did not reach the state the procedure needs). Raised on an internal tag
 * like the sign-in alarm, so it is journaled, annunciated and acknowledged like any other.
 */
import { GOOD } from '../../shared/quality';
import type { TagValue } from '../../shared/types';
import { alarmDefinitionSchema } from '../config/alarm-schema';
import type { Project } from '../config/project-schema';

export const INSTRUCTION_ALARM_TAG = 'Lineside.InstructionOverdue';
export const INSTRUCTION_ALARM_ID = 'Lineside.InstructionOverdue';

export function withInstructionAlarm(project: Project): Project {
  if (project.alarms.definitions.some((d) => d.id === INSTRUCTION_ALARM_ID)) return project;
  const def = alarmDefinitionSchema.parse({
    id: INSTRUCTION_ALARM_ID,
    type: 'discrete',
    tag: INSTRUCTION_ALARM_TAG,
    equals: true,
    priority: 3,
    area: project.line,
    message: 'A work instruction waits on the machine past its time',
    response: 'Open Instructions: the running step says what it waits for and what the PLC reports. Fix the cause, or abort the run with the reason.',
  });
  return { ...project, alarms: { ...project.alarms, definitions: [...project.alarms.definitions, def] } };
}

export function instructionAlarmValue(active: boolean, now: number): TagValue {
  return { tagId: INSTRUCTION_ALARM_TAG, value: active, quality: GOOD, sourceTs: now, ts: now };
}
