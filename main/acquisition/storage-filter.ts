/**
 * Decides which samples reach the historian. A value is stored when it moved beyond the tag's
 * deadband since the last stored sample, when its quality changed, when a non-numeric value
 * changed, or when the heartbeat interval passed — so a constant value still proves the link was
 * alive, and a noisy analog does not fill the disk with its noise.
 */
import { encodeQuality } from '../../shared/quality';
import type { TagValue } from '../../shared/types';

export interface StoragePolicy {
  /** absolute deadband in engineering units (0 = every change) */
  deadband: number;
  heartbeatMs: number;
}

export function storagePolicy(opts: { deadband?: number; deadbandPercent?: number; heartbeatS: number; min?: number; max?: number }): StoragePolicy {
  let deadband = opts.deadband ?? 0;
  if (opts.deadbandPercent !== undefined && opts.min !== undefined && opts.max !== undefined) {
    deadband = Math.max(deadband, ((opts.max - opts.min) * opts.deadbandPercent) / 100);
  }
  return { deadband, heartbeatMs: opts.heartbeatS * 1000 };
}

const DEFAULT_POLICY: StoragePolicy = { deadband: 0, heartbeatMs: 60_000 };

export class StorageFilter {
  private readonly last = new Map<string, { value: TagValue['value']; quality: number; ts: number }>();
  readonly stats = { passed: 0, filtered: 0 };

  constructor(private readonly policies: ReadonlyMap<string, StoragePolicy>) {}

  filter(batch: readonly TagValue[]): TagValue[] {
    const out: TagValue[] = [];
    for (const v of batch) {
      if (v.value === null) continue; // nothing was ever read: nothing to store
      const policy = this.policies.get(v.tagId) ?? DEFAULT_POLICY;
      const quality = encodeQuality(v.quality);
      const prev = this.last.get(v.tagId);
      if (prev && !this.mustStore(prev, v, quality, policy)) {
        this.stats.filtered++;
        continue;
      }
      this.last.set(v.tagId, { value: v.value, quality, ts: v.ts });
      this.stats.passed++;
      out.push(v);
    }
    return out;
  }

  private mustStore(prev: { value: TagValue['value']; quality: number; ts: number }, v: TagValue, quality: number, policy: StoragePolicy): boolean {
    if (quality !== prev.quality) return true;
    if (v.ts - prev.ts >= policy.heartbeatMs) return true;
    if (typeof v.value === 'number' && typeof prev.value === 'number') {
      const moved = Math.abs(v.value - prev.value);
      return policy.deadband > 0 ? moved > policy.deadband : moved > 0;
    }
    return v.value !== prev.value;
  }
}
