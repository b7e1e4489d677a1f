/**
 * Work instructions in the runtime: the project's instruction folders read at start (and again
 * on `reload`), each content kept as a version; the lifecycle transitions with who did them; the
 * runs (run-engine.ts). A broken folder is listed with its error and changes nothing stored.
 */
import { ApiError } from '../../shared/api';
import type { InstructionDefinition, InstructionSummary, InstructionVersionInfo } from '../../shared/instructions';
import type { Actor } from '../../shared/types';
import type { Clock } from '../util/clock';
import { shiftStart } from '../../shared/shifts';
import { TransitionRefused, type Transition, type VersionStore } from './version-store';

export interface InstructionServiceDeps {
  versions: VersionStore;
  clock: Clock;
  /** reads the project's instruction folders (main/config/instruction-files.ts) */
  load: () => { instructions: { definition: InstructionDefinition; hash: string; media: ReadonlyMap<string, Uint8Array> }[]; problems: InstructionProblem[] };
  audit: (r: { ts: number; actor: Actor; action: string; target: string; newValue: unknown; detail: string }) => void;
  log: { warn(m: string): void; info(m: string): void };
  /** the project's shift start times ("HH:MM", local): a start-of-shift checklist is due once per shift */
  shifts: readonly string[];
  /** whether a run of the instruction was started at or after `t` */
  startedSince: (instructionId: string, t: number) => boolean;
}

/** A folder that did not load: its error names file, line and path. */
export interface InstructionProblem {
  folder: string;
  id: string | null;
  message: string;
}

export interface TransitionCaller {
  userId: string;
  name: string;
  roles: readonly string[];
  signatureId: number | null;
  actor: Actor;
}

export class InstructionService {
  private problems: InstructionProblem[] = [];
  /** the instructions the files define now (their newest content) */
  private current = new Map<string, { definition: InstructionDefinition; hash: string }>();

  constructor(private readonly d: InstructionServiceDeps) {
    this.reload();
  }

  /** Reads the folders again: new contents become draft versions; nothing stored is changed. */
  reload(): InstructionSummary[] {
    const { instructions, problems } = this.d.load();
    this.problems = problems;
    for (const p of problems) this.d.log.warn(`instruction folder not loaded: ${p.message}`);
    const now = this.d.clock.now();
    this.current = new Map();
    for (const i of instructions) {
      this.d.versions.register(i.definition, i.hash, now, i.media);
      this.current.set(i.definition.id, { definition: i.definition, hash: i.hash });
    }
    return this.list();
  }

  list(): InstructionSummary[] {
    const ids = new Set([...this.d.versions.instructionIds(), ...this.current.keys()]);
    const out: InstructionSummary[] = [];
    for (const id of [...ids].sort()) {
      const versions = this.d.versions.versions(id);
      const effective = this.d.versions.effective(id);
      const def = effective?.definition ?? this.current.get(id)?.definition ?? (versions[0] ? this.d.versions.get(versions[0].hash)!.definition : null);
      if (def === null) continue;
      const shift = shiftStart(this.d.clock.now(), this.d.shifts);
      const due = effective !== null && effective.definition.atShiftStart && !this.d.startedSince(id, shift) ? shift : null;
      out.push({
        id,
        title: def.title,
        description: def.description,
        alarms: def.alarms,
        atShiftStart: def.atShiftStart,
        effective: effective?.info ?? null,
        versions,
        problem: null,
        dueSince: due,
      });
    }
    for (const p of this.problems) {
      const known = out.find((o) => p.id !== null && o.id === p.id);
      if (known) known.problem = p.message;
      else out.push({ id: p.folder.split(/[\\/]/).pop() ?? p.folder, title: '(not loaded)', description: '', alarms: [], atShiftStart: false, effective: null, versions: [], problem: p.message, dueSince: null });
    }
    return out;
  }

  version(hash: string): { info: InstructionVersionInfo; definition: InstructionDefinition } {
    const v = this.d.versions.get(hash);
    if (!v) throw new ApiError({ code: 'not_found', message: `no instruction version ${hash.slice(0, 12)}`, context: { hash } });
    return v;
  }

  /** A picture, video or PDF of a version's step, for the player. */
  media(hash: string, sha256: string): { mime: string; dataBase64: string; file: string } {
    const m = this.d.versions.media(hash, sha256);
    if (!m) throw new ApiError({ code: 'not_found', message: `version ${hash.slice(0, 12)} has no media ${sha256.slice(0, 12)}`, context: { hash, sha256 } });
    return { mime: mimeOf(m.file), dataBase64: m.bytes.toString('base64'), file: m.file };
  }

  /** The instructions an alarm's procedure points to (its id among their `alarms`). */
  forAlarm(alarmId: string): InstructionSummary[] {
    return this.list().filter((i) => i.alarms.includes(alarmId));
  }

  transition(hash: string, t: Transition, caller: TransitionCaller, reason = ''): InstructionVersionInfo {
    const before = this.version(hash).info;
    if ((t === 'approve' || t === 'release') && caller.signatureId === null) {
      throw new ApiError({ code: 'signature_required', message: `${t === 'approve' ? 'approving' : 'releasing'} an instruction version needs an electronic signature` });
    }
    if ((t === 'reject' || t === 'retire') && reason.trim().length < 3) {
      throw new ApiError({ code: 'bad_request', message: `${t}: give the reason (at least 3 characters)`, context: { field: 'reason' } });
    }
    let after: InstructionVersionInfo;
    try {
      after = this.d.versions.transition(
        hash,
        t,
        t === 'approve' ? { userId: caller.userId, printedName: caller.name, ts: this.d.clock.now(), signatureId: caller.signatureId!, roles: caller.roles } : undefined,
      );
    } catch (err) {
      if (err instanceof TransitionRefused) throw new ApiError({ code: 'refused', message: err.message, context: { hash, transition: t } });
      throw err;
    }
    this.d.audit({
      ts: this.d.clock.now(),
      actor: caller.actor,
      action: `instruction.${t}`,
      target: `${before.instructionId} v${before.number}`,
      newValue: { hash, from: before.state, to: after.state },
      detail: reason.trim(),
    });
    return after;
  }
}

const MIME: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', svg: 'image/svg+xml', webp: 'image/webp', mp4: 'video/mp4', webm: 'video/webm', pdf: 'application/pdf' };

function mimeOf(file: string): string {
  return MIME[file.split('.').pop()?.toLowerCase() ?? ''] ?? 'application/octet-stream';
}
