import type { Writable } from 'node:stream';
import type { ApiEvent, ApiReply, AppInfo } from '../../shared/api';

/**
 * What a shell (Electron or headless) gets from the composition root: sessions to carry calls
 * on, one stream of broadcast events. The shell owns transport and sender checks; the host
 * validates params, admits the call against the session's permissions, and runs it.
 */
export interface RuntimeHost {
  readonly info: AppInfo;
  /**
   * A connection joins the session with this id (made, signed out, when it is new): a
   * WebSocket with the browser's session cookie, or the desktop window. `push` receives this
   * session's own events (its `session` state); broadcast events come through `subscribe`.
   */
  connect(c: { sessionId: string; station: string; push: (event: ApiEvent) => void }): RuntimeConnection;
  /** Coalesced events for everyone: value frames at most every `info.frameIntervalMs`, devices, alarms. */
  subscribe(listener: (event: ApiEvent) => void): () => void;
  /**
   * Streams raw samples as CSV into `out` (constant memory), for a known session (the one the
   * browser's cookie names). `params` is validated here; rejects with an ApiError (bad_request,
   * not_found, forbidden) before writing anything.
   */
  exportSamplesCsv(params: unknown, out: Writable, sessionId: string | null): Promise<{ rows: number; bytes: number }>;
  /** Stops acquisition, flushes and closes the database. Idempotent. */
  close(): Promise<void>;
}

export interface RuntimeConnection {
  /**
   * Validates `params` (and a signature) against the method's schema, admits the call (the
   * permission table, the lock, the signature the project asks for), runs it, returns a reply
   * (never throws).
   */
  handle(method: unknown, params: unknown, signature?: unknown): Promise<ApiReply<unknown>>;
  /** The connection closed. */
  close(): void;
}
