/**
 * The WebSocket framing of the API contract:
 *   client → server  {"id": n, "method": m, "params": p}
 *   server → client  {"id": n, "reply": ApiReply}   or   {"event": name, "data": ...}
 * Incoming frames are checked for shape before anyone trusts them.
 */
import { eventNames, type ApiEvent, type ApiReply, type EventName, type MethodName } from '../../shared/api';

export interface RequestFrame {
  id: number;
  method: MethodName;
  params: unknown;
  /** an electronic signature going with the call (checked by the runtime) */
  signature?: unknown;
}

export type ServerFrame =
  | { kind: 'reply'; id: number; reply: ApiReply<unknown> }
  | { kind: 'event'; event: ApiEvent }
  | { kind: 'invalid'; reason: string };

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isEventName(x: unknown): x is EventName {
  return typeof x === 'string' && (eventNames as string[]).includes(x);
}

function isReply(x: unknown): x is ApiReply<unknown> {
  if (!isRecord(x)) return false;
  if (x.ok === true) return 'result' in x;
  if (x.ok === false) {
    return isRecord(x.error) && typeof x.error.code === 'string' && typeof x.error.message === 'string';
  }
  return false;
}

export function encodeRequest(frame: RequestFrame): string {
  return JSON.stringify(frame);
}

export function parseServerFrame(text: string): ServerFrame {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { kind: 'invalid', reason: 'not JSON' };
  }
  if (!isRecord(parsed)) return { kind: 'invalid', reason: 'not an object' };
  if ('id' in parsed) {
    if (typeof parsed.id !== 'number') return { kind: 'invalid', reason: '`id` is not a number' };
    if (!isReply(parsed.reply)) return { kind: 'invalid', reason: `reply ${parsed.id} is not an ApiReply` };
    return { kind: 'reply', id: parsed.id, reply: parsed.reply };
  }
  if ('event' in parsed) {
    if (!isEventName(parsed.event)) return { kind: 'invalid', reason: `unknown event ${String(parsed.event)}` };
    if (!isRecord(parsed.data)) return { kind: 'invalid', reason: `event ${parsed.event} has no data object` };
    // The runtime is the one source of these frames; the shape of `data` is its contract.
    return { kind: 'event', event: { event: parsed.event, data: parsed.data } as ApiEvent };
  }
  return { kind: 'invalid', reason: 'neither a reply nor an event' };
}
