/**
 * The ISA-18.2 alarm state machine (IEC 62682; the same states as OPC UA Part 9's
 * AlarmConditionType, with its orthogonal Active/Acked/Shelving/Suppressed/OutOfService/Latched
 * sub-states folded into one state per ISA-18.2's diagram). Pure: no clock, no I/O.
 *
 *                  activate                        ack
 *   ┌───────────┐ ──────────────► ┌──────────────┐ ──────► ┌──────────────┐
 *   │ A Normal  │                 │ B Unack      │         │ C Acked      │
 *   └───────────┘                 │   (active)   │         │   (active)   │
 *     ▲   ▲   ▲                   └──────────────┘         └──────────────┘
 *     │   │   │                clear │      ▲ activate        │ clear
 *     │   │   │        (not latched) ▼      │ (re-alarm)      │
 *     │   │   │   ack  ┌──────────────────────┐               │
 *     │   │   └─────── │ D RTN Unack          │               │
 *     │   │            └──────────────────────┘               │
 *     │   └─────────────── clear, not latched ────────────────┘
 *     │
 *     │   reset        ┌──────────────────────┐ ◄── clear, latched (from B: unacked;
 *     └─────────────── │ E Latched            │                 from C: acked)
 *      (process normal)│  ack: stays E, acked │ ── activate ──► B
 *                      └──────────────────────┘
 *
 *   From A–D (and E for suppression / out of service):
 *     shelve ──────────► F Shelved      (timed until `until`, or one-shot until the alarm clears;
 *                                        either way never longer than the maximum shelve time)
 *     suppress ────────► G Suppressed   (a design condition holds, e.g. the machine is stopped)
 *     remove ──────────► H Out of service (engineer action, with a reason)
 *   Leaving F (unshelve / expiry / one-shot clear), G (condition ends), H (return to service)
 *   resolves from what the process does now:
 *     suppression holds → G;   condition active → B (annunciated again: re-alarm);   else → A
 *   F and H take precedence over G: while shelved or out of service, suppression is only noted.
 *
 * The process condition (after on/off delays) and the suppression condition are inputs kept by
 * the engine; events that do not apply in a state are either ignored (process events: noted by
 * the engine, no transition) or refused with a reason (operator actions).
 */
import { AlarmStateType, type AlarmState, type ShelveMode } from '../../shared/alarms';

export { AlarmStateType, type AlarmState };

export type AlarmEvent =
  | { type: 'activate' }
  | { type: 'clear' }
  | { type: 'acknowledge'; user: string }
  | { type: 'reset'; user: string }
  | { type: 'shelve'; user: string; mode: ShelveMode; until: number; reason: string }
  | { type: 'unshelve'; user: string }
  | { type: 'shelveExpired' }
  | { type: 'suppress' }
  | { type: 'unsuppress' }
  | { type: 'removeFromService'; user: string; reason: string }
  | { type: 'returnToService'; user: string };

/** What the state machine needs to know besides the state: all as of after the event. */
export interface AlarmContext {
  now: number;
  latched: boolean;
  /** the process condition is active */
  condition: boolean;
  /** the design suppression condition holds */
  suppressed: boolean;
}

export type TransitionResult =
  | { kind: 'moved'; state: AlarmState }
  /** the event does not change this state (a process event noted, nothing to do) */
  | { kind: 'unchanged' }
  /** an operator action that does not apply here, and why, in the operator's words */
  | { kind: 'refused'; reason: string };

export const NORMAL: AlarmState = Object.freeze({ type: AlarmStateType.Normal });

const moved = (state: AlarmState): TransitionResult => ({ kind: 'moved', state });
const unchanged: TransitionResult = { kind: 'unchanged' };
const refused = (reason: string): TransitionResult => ({ kind: 'refused', reason });

/** Where an alarm goes when it leaves F, G or H: decided by what the process does now. */
export function resolveState(ctx: AlarmContext): AlarmState {
  if (ctx.suppressed) return { type: AlarmStateType.Suppressed, since: ctx.now };
  if (ctx.condition) return { type: AlarmStateType.Unacknowledged, since: ctx.now };
  return NORMAL;
}

export function transition(state: AlarmState, event: AlarmEvent, ctx: AlarmContext): TransitionResult {
  // Actions allowed from every in-service state, handled once here.
  if (event.type === 'removeFromService') {
    if (state.type === AlarmStateType.OutOfService) return refused('already out of service');
    return moved({ type: AlarmStateType.OutOfService, since: ctx.now, by: event.user, reason: event.reason });
  }
  switch (state.type) {
    case AlarmStateType.Normal:
      switch (event.type) {
        case 'activate':
          return moved({ type: AlarmStateType.Unacknowledged, since: ctx.now });
        case 'suppress':
          return moved({ type: AlarmStateType.Suppressed, since: ctx.now });
        case 'shelve':
          return moved(shelved(event, ctx));
        case 'acknowledge':
          return refused('nothing to acknowledge: the alarm is normal');
        default:
          return notApplicable(state, event);
      }

    case AlarmStateType.Unacknowledged:
      switch (event.type) {
        case 'acknowledge':
          return moved({ type: AlarmStateType.Acknowledged, since: state.since, ackedAt: ctx.now, ackedBy: event.user });
        case 'clear':
          return moved(
            ctx.latched
              ? { type: AlarmStateType.Latched, since: state.since, clearedAt: ctx.now, ackedAt: null, ackedBy: null }
              : { type: AlarmStateType.ReturnedUnacknowledged, since: state.since, clearedAt: ctx.now },
          );
        case 'suppress':
          return moved({ type: AlarmStateType.Suppressed, since: ctx.now });
        case 'shelve':
          return moved(shelved(event, ctx));
        case 'reset':
          return refused('still active: a latched alarm is reset once the process is back to normal');
        default:
          return notApplicable(state, event);
      }

    case AlarmStateType.Acknowledged:
      switch (event.type) {
        case 'clear':
          return moved(
            ctx.latched
              ? { type: AlarmStateType.Latched, since: state.since, clearedAt: ctx.now, ackedAt: state.ackedAt, ackedBy: state.ackedBy }
              : NORMAL,
          );
        case 'suppress':
          return moved({ type: AlarmStateType.Suppressed, since: ctx.now });
        case 'shelve':
          return moved(shelved(event, ctx));
        case 'acknowledge':
          return refused(`already acknowledged by ${state.ackedBy}`);
        case 'reset':
          return refused('still active: a latched alarm is reset once the process is back to normal');
        default:
          return notApplicable(state, event);
      }

    case AlarmStateType.ReturnedUnacknowledged:
      switch (event.type) {
        case 'acknowledge':
          return moved(NORMAL);
        case 'activate':
          // re-alarm: a new occurrence before the last one was acknowledged
          return moved({ type: AlarmStateType.Unacknowledged, since: ctx.now });
        case 'suppress':
          return moved({ type: AlarmStateType.Suppressed, since: ctx.now });
        case 'shelve':
          return moved(shelved(event, ctx));
        default:
          return notApplicable(state, event);
      }

    case AlarmStateType.Latched:
      switch (event.type) {
        case 'acknowledge':
          if (state.ackedAt !== null) return refused(`already acknowledged by ${state.ackedBy}; reset it`);
          return moved({ ...state, ackedAt: ctx.now, ackedBy: event.user });
        case 'reset':
          // Reset acknowledges as well: a latched alarm the operator resets has been seen.
          return ctx.condition ? refused('the condition is active again') : moved(NORMAL);
        case 'activate':
          return moved({ type: AlarmStateType.Unacknowledged, since: ctx.now });
        case 'suppress':
          return moved({ type: AlarmStateType.Suppressed, since: ctx.now });
        case 'shelve':
          return refused('a latched alarm is reset, not shelved');
        default:
          return notApplicable(state, event);
      }

    case AlarmStateType.Shelved:
      switch (event.type) {
        case 'unshelve':
        case 'shelveExpired':
          return moved(resolveState(ctx));
        case 'clear':
          // one-shot: shelved until the alarm clears
          return state.mode === 'oneShot' ? moved(resolveState(ctx)) : unchanged;
        case 'shelve':
          // shelving again replaces the shelve (a new reason, a new expiry), on record
          return moved(shelved(event, ctx));
        case 'acknowledge':
          return refused('shelved: nothing is annunciated to acknowledge');
        default:
          return notApplicable(state, event);
      }

    case AlarmStateType.Suppressed:
      switch (event.type) {
        case 'unsuppress':
          return moved(resolveState(ctx));
        case 'shelve':
          return refused('suppressed by design: nothing to shelve');
        case 'acknowledge':
          return refused('suppressed by design: nothing is annunciated to acknowledge');
        default:
          return notApplicable(state, event);
      }

    case AlarmStateType.OutOfService:
      switch (event.type) {
        case 'returnToService':
          return moved(resolveState(ctx));
        default:
          return notApplicable(state, event);
      }
  }
}

function shelved(event: Extract<AlarmEvent, { type: 'shelve' }>, ctx: AlarmContext): AlarmState {
  return { type: AlarmStateType.Shelved, mode: event.mode, at: ctx.now, until: event.until, by: event.user, reason: event.reason };
}

const STATE_WORDS: Record<AlarmStateType, string> = {
  normal: 'normal',
  unack: 'active',
  acked: 'active and acknowledged',
  rtnUnack: 'back to normal, not acknowledged',
  latched: 'latched',
  shelved: 'shelved',
  suppressed: 'suppressed by design',
  outOfService: 'out of service',
};

/** Process events that do not apply are no-ops; operator actions that do not apply are refused. */
function notApplicable(state: AlarmState, event: AlarmEvent): TransitionResult {
  switch (event.type) {
    case 'activate':
    case 'clear':
    case 'suppress':
    case 'unsuppress':
    case 'shelveExpired':
      return unchanged;
    case 'acknowledge':
      return refused(`nothing to acknowledge: the alarm is ${STATE_WORDS[state.type]}`);
    case 'reset':
      return refused(`only a latched alarm is reset; this one is ${STATE_WORDS[state.type]}`);
    case 'shelve':
      return refused(`cannot shelve: the alarm is ${STATE_WORDS[state.type]}`);
    case 'unshelve':
      return refused(`not shelved: the alarm is ${STATE_WORDS[state.type]}`);
    case 'removeFromService':
      return refused(`already ${STATE_WORDS[state.type]}`);
    case 'returnToService':
      return refused(`in service: the alarm is ${STATE_WORDS[state.type]}`);
  }
}

export function describeState(type: AlarmStateType): string {
  return STATE_WORDS[type];
}
