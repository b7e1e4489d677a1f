/**
 * Operator writes (setpoints, commands): checked, written, read back, and put on record.
 *
 *   request ─▶ checks (writable, type, limits, device online, value good) ─▶ refused
 *                 │ ok
 *                 ▼
 *              driver.write ─▶ failed (device refused / no answer)
 *                 │ ok
 *                 ▼
 *              read back ─▶ matches: done │ differs or unreadable: unverified
 *
 * Every outcome, refusals included, is recorded with who, the old and the new value, and when.
 */
import type { Actor, TagScalar, TagValue } from '../../shared/types';
import type { Clock } from '../util/clock';
import type { Driver } from '../drivers/driver';
import type { AcquiredTag } from './scan-group';
import { scaleValue, type LinearScaling } from './scaling';

export interface WritableTag extends AcquiredTag {
  writable: boolean;
  min?: number;
  max?: number;
}

export type WriteOutcome = 'done' | 'refused' | 'failed' | 'unverified';

export interface WriteRecord {
  ts: number;
  user: string;
  station: string;
  signatureId: number | null;
  tagId: string;
  oldValue: TagScalar | null;
  newValue: TagScalar;
  outcome: WriteOutcome;
  detail: string;
}

export interface WriteResult {
  tagId: string;
  requested: TagScalar;
  readBack: TagScalar | null;
  verified: boolean;
  ts: number;
}

export class WriteRefused extends Error {
  constructor(
    readonly outcome: 'refused' | 'failed',
    readonly reason: 'not_found' | 'not_writable' | 'bad_value' | 'out_of_range' | 'device_not_online' | 'value_not_good' | 'busy' | 'device_error',
    message: string,
  ) {
    super(message);
    this.name = 'WriteRefused';
  }
}

export interface WriteServiceDeps {
  tags: readonly WritableTag[];
  drivers: ReadonlyMap<string, Driver>;
  current: (tagId: string) => TagValue | undefined;
  publish: (batch: TagValue[]) => void;
  record: (entry: WriteRecord) => void;
  clock: Clock;
}

export class WriteService {
  private readonly tags: Map<string, WritableTag>;
  /** One write per tag at a time: a second tap while the first is on its way is refused. */
  private readonly busy = new Set<string>();

  constructor(private readonly deps: WriteServiceDeps) {
    this.tags = new Map(deps.tags.map((t) => [t.id, t]));
  }

  async write(tagId: string, value: TagScalar, actor: Actor): Promise<WriteResult> {
    const { clock } = this.deps;
    const { user, station, signatureId } = actor;
    const old = this.deps.current(tagId)?.value ?? null;
    const refuse = (reason: WriteRefused['reason'], message: string, outcome: 'refused' | 'failed' = 'refused'): never => {
      this.deps.record({ ts: clock.now(), user, station, signatureId, tagId, oldValue: old, newValue: value, outcome, detail: message });
      throw new WriteRefused(outcome, reason, message);
    };

    const tag = this.tags.get(tagId);
    if (!tag) return refuse('not_found', `unknown tag "${tagId}"`);
    if (!tag.writable) return refuse('not_writable', `${tagId} is not writable`);
    const typeError = checkType(tag, value);
    if (typeError) return refuse('bad_value', `${tagId}: ${typeError}`);
    if (typeof value === 'number') {
      if (tag.min !== undefined && value < tag.min) return refuse('out_of_range', `${tagId}: ${value} is below the minimum ${tag.min}`);
      if (tag.max !== undefined && value > tag.max) return refuse('out_of_range', `${tagId}: ${value} is above the maximum ${tag.max}`);
    }
    const driver = this.deps.drivers.get(tag.deviceId);
    if (!driver) return refuse('device_not_online', `${tagId}: device ${tag.deviceId} is not configured or disabled`);
    const state = driver.status().state;
    if (state !== 'online') return refuse('device_not_online', `${tagId}: device ${tag.deviceId} is ${state}, not online`);
    const cur = this.deps.current(tagId);
    if (!cur || cur.quality.level === 'bad') return refuse('value_not_good', `${tagId}: the current value is ${cur ? `bad (${cur.quality.reason})` : 'unknown'}; write refused`);
    if (this.busy.has(tagId)) return refuse('busy', `${tagId}: a write is already in progress`);

    const raw = typeof value === 'number' ? toRaw(value, tag.scaling, tag.driverTag.dataType) : value;
    this.busy.add(tagId);
    try {
      try {
        await driver.write(tag.driverTag, raw);
      } catch (err) {
        return refuse('device_error', `${tagId}: ${(err as Error).message}`, 'failed');
      }
      // Read back: the PLC may clamp, reject silently or be overwritten by its own logic.
      const [reading] = await driver.read(driver.plan([tag.driverTag]));
      const ts = clock.now();
      let readBack: TagScalar | null = null;
      let verified = false;
      if (reading && reading.value !== null && reading.quality.level !== 'bad') {
        const scaled = scaleValue(reading.value, tag.scaling, reading.quality);
        readBack = scaled.value;
        verified = sameValue(readBack, value, tag);
        this.deps.publish([{ tagId, value: scaled.value, quality: scaled.quality, sourceTs: reading.sourceTs, ts }]);
      }
      const detail = verified ? 'read back' : readBack === null ? 'read-back failed' : `read back ${String(readBack)}, not ${String(value)}`;
      this.deps.record({ ts, user, station, signatureId, tagId, oldValue: old, newValue: value, outcome: verified ? 'done' : 'unverified', detail });
      return { tagId, requested: value, readBack, verified, ts };
    } finally {
      this.busy.delete(tagId);
    }
  }
}

function checkType(tag: WritableTag, value: TagScalar): string | null {
  const t = tag.driverTag.dataType;
  if (t === 'bool') return typeof value === 'boolean' ? null : `expects true or false, not ${JSON.stringify(value)}`;
  if (t === 'string') return typeof value === 'string' ? null : `expects text, not ${JSON.stringify(value)}`;
  if (typeof value !== 'number' || !Number.isFinite(value)) return `expects a number, not ${JSON.stringify(value)}`;
  return null;
}

/** Engineering units → the raw value the device holds (inverse of scaleValue). */
export function toRaw(eng: number, scaling: LinearScaling | undefined, dataType: string): number {
  let raw = eng;
  if (scaling) raw = scaling.rawMin + ((eng - scaling.engMin) * (scaling.rawMax - scaling.rawMin)) / (scaling.engMax - scaling.engMin);
  return dataType === 'float32' || dataType === 'float64' ? raw : Math.round(raw);
}

function sameValue(readBack: TagScalar, requested: TagScalar, tag: WritableTag): boolean {
  if (typeof readBack !== 'number' || typeof requested !== 'number') return readBack === requested;
  const t = tag.driverTag.dataType;
  // What the device can hold: one raw step for integers (in engineering units), float32 rounding.
  let tolerance: number;
  if (t === 'float32') tolerance = Math.abs(requested) * 1e-6 + 1e-6;
  else if (t === 'float64') tolerance = Math.abs(requested) * 1e-12;
  else {
    const s = tag.scaling;
    tolerance = s ? Math.abs((s.engMax - s.engMin) / (s.rawMax - s.rawMin)) / 2 : 0.5;
  }
  return Math.abs(readBack - requested) <= tolerance;
}
