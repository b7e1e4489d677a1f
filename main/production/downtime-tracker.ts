/**
 * Downtime events from the line's state changes (pure; the service stores what it says).
 *
 *                 state leaves running (class down or planned)
 *   ┌──────────┐ ────────────────────────────────────────────► ┌──────┐
 *   │ no event │                                                │ open │ fault code / state → auto reason
 *   └──────────┘ ◄──────────────────────────────────────────── └──────┘
 *                 running again, off or unknown: closed
 *                 shorter than minorStopMs (and not planned) → minor
 *                 else with a reason → done, without → pending (the operator gives one)
 *
 * A stop that is planned (planned-class state, or a planned reason) is never minor.
 */
import type { DowntimeStatus, RecordedState, StateClass } from '../../shared/production';

export interface AutoReasons {
  /** fault code → reason code */
  faultCodes: Readonly<Record<string, string>>;
  /** state → reason code */
  states: Partial<Record<RecordedState, string>>;
}

export type DowntimeStep =
  | { kind: 'open'; start: number; state: RecordedState; faultCode: number | null; reason: string | null }
  | { kind: 'close'; end: number }
  | { kind: 'autoReason'; reason: string; faultCode: number };

export class DowntimeTracker {
  private open: { start: number; reason: string | null } | null;

  constructor(
    private readonly auto: AutoReasons,
    resumed: { start: number; reason: string | null } | null = null,
  ) {
    this.open = resumed;
  }

  get isOpen(): boolean {
    return this.open !== null;
  }

  /** A new state (or fault code) at t: what to do with the events. */
  onState(t: number, state: RecordedState, cls: StateClass, faultCode: number | null): DowntimeStep[] {
    const stopped = cls === 'down' || cls === 'planned';
    if (!stopped) {
      if (this.open === null) return [];
      this.open = null;
      return [{ kind: 'close', end: t }];
    }
    const fcReason = faultCode !== null && faultCode !== 0 ? (this.auto.faultCodes[String(faultCode)] ?? null) : null;
    if (this.open === null) {
      const reason = fcReason ?? this.auto.states[state] ?? null;
      this.open = { start: t, reason };
      return [{ kind: 'open', start: t, state, faultCode: faultCode !== 0 ? faultCode : null, reason }];
    }
    // a fault code that shows up after the stop began still names its cause
    if (this.open.reason === null && fcReason !== null && faultCode !== null) {
      this.open.reason = fcReason;
      return [{ kind: 'autoReason', reason: fcReason, faultCode }];
    }
    return [];
  }

  /** The operator gave the open event a reason (so no fault code overrides it). */
  reasonGiven(reason: string): void {
    if (this.open) this.open.reason = reason;
  }

  /** The open event was split at t: the part after t is the open one now. */
  splitAt(t: number, reason: string | null): void {
    if (this.open) this.open = { start: t, reason };
  }
}

/** Whether a closed stop of this length is minor. */
export function isMinorStop(durationMs: number, minorStopMs: number, planned: boolean): boolean {
  return !planned && durationMs < minorStopMs;
}

export function downtimeStatus(e: { end: number | null; minor: boolean; reasonCode: string | null }): DowntimeStatus {
  if (e.end === null) return 'open';
  if (e.minor) return 'minor';
  return e.reasonCode !== null ? 'done' : 'pending';
}
