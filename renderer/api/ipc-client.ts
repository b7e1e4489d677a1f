/**
 * LinesideClient over the Electron preload bridge (`window.lineside`). The bridge answers every
 * call with an ApiReply; we unwrap it and throw ApiError on `ok: false`, so callers see the same
 * behaviour as over the WebSocket. IPC has no connection to lose: always connected.
 */
import {
  ApiError,
  type ApiEvents,
  type ApiReply,
  type CallOptions,
  type EventName,
  type LinesideClient,
  type MethodName,
  type ParamsOf,
  type PreloadBridge,
  type ResultOf,
} from '../../shared/api';
import { EventListeners } from './event-listeners';

export class IpcClient implements LinesideClient {
  private readonly events = new EventListeners();

  constructor(private readonly bridge: PreloadBridge) {
    bridge.onEvent((event) => this.events.dispatch(event));
  }

  async call<M extends MethodName>(method: M, params: ParamsOf<M>, options?: CallOptions): Promise<ResultOf<M>> {
    // The mapped bridge type cannot be indexed generically; each entry has exactly this shape.
    const invoke = this.bridge[method] as unknown as (p: ParamsOf<M>, o?: CallOptions) => Promise<ApiReply<ResultOf<M>>>;
    if (typeof invoke !== 'function') {
      throw new ApiError({ code: 'unknown_method', message: `${method}: not offered by this shell`, context: { method } });
    }
    let reply: ApiReply<ResultOf<M>>;
    try {
      reply = await (options === undefined ? invoke(params) : invoke(params, options));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new ApiError({ code: 'internal', message: `${method}: ${message}`, context: { method } });
    }
    if (!reply.ok) throw new ApiError(reply.error);
    return reply.result;
  }

  on<E extends EventName>(event: E, listener: (data: ApiEvents[E]) => void): () => void {
    return this.events.add(event, listener);
  }

  onConnection(listener: (connected: boolean) => void): () => void {
    listener(true);
    return () => {};
  }
}
