import type { Writable } from 'node:stream';
import type { ApiEvent, ApiReply, AppInfo } from '../../shared/api';

/**
 * What a shell (Electron or headless) gets from the composition root: one entry point for every
 * API call, one stream of pushed events. The shell owns transport and sender checks; the host
 * validates params and runs the call.
 */
export interface RuntimeHost {
  readonly info: AppInfo;
  /**
   * Validates `params` against the method's schema, runs it, returns a reply (never throws).
   * `connectionKey` names the caller's connection (a WebSocket, the window): heavy history
   * calls are limited per connection (heavy-query-gate.ts).
   */
  handle(method: unknown, params: unknown, connectionKey?: string): Promise<ApiReply<unknown>>;
  /** Coalesced events: value frames at most every `info.frameIntervalMs`, device status changes. */
  subscribe(listener: (event: ApiEvent) => void): () => void;
  /**
   * Streams raw samples as CSV into `out` (constant memory). `params` is validated here;
   * rejects with an ApiError (bad_request, not_found) before writing anything.
   */
  exportSamplesCsv(params: unknown, out: Writable): Promise<{ rows: number; bytes: number }>;
  /** Stops acquisition, flushes and closes the database. Idempotent. */
  close(): Promise<void>;
}
