/**
 * LinesideClient over the headless shell's WebSocket. Independent of React.
 *
 *   ┌────────────┐  open   ┌──────┐  close   ┌─────────┐
 *   │ connecting │───────▶│ open │────────▶│ waiting │
 *   └────────────┘         └──────┘          └─────────┘
 *         ▲   │ close (failed attempt)             │ backoff timer (0.5 s → 5 s)
 *         │   └───────────────────────────────────▶│
 *         └────────────────────────────────────────┘
 *   dispose() from any state → disposed (final)
 *
 * Calls made while not open are queued and sent on open. Every close rejects all calls in
 * flight or queued: the caller learns at once that its answer will not come. Events are pushed
 * by the runtime to every connection, so a new connection needs no re-subscription.
 */
import {
  ApiError,
  type ApiEvents,
  type CallOptions,
  type EventName,
  type LinesideClient,
  type MethodName,
  type ParamsOf,
  type ResultOf,
} from '../../shared/api';
import { EventListeners } from './event-listeners';
import { reconnectDelayMs } from './reconnect-delay';
import { encodeRequest, parseServerFrame } from './ws-frames';

type ConnectionState = 'connecting' | 'open' | 'waiting' | 'disposed';

interface PendingCall {
  method: MethodName;
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
  timeout: ReturnType<typeof setTimeout>;
}

export interface WebSocketClientOptions {
  url: string;
  /** injectable for tests */
  createSocket?: (url: string) => WebSocket;
  /** a call without an answer after this long is rejected (the socket may be half-dead) */
  callTimeoutMs?: number;
}

const DEFAULT_CALL_TIMEOUT_MS = 30_000;

function unavailable(message: string, method?: MethodName): ApiError {
  return new ApiError({ code: 'unavailable', message, context: method === undefined ? undefined : { method } });
}

export class WebSocketClient implements LinesideClient {
  private state: ConnectionState = 'waiting';
  private socket: WebSocket | null = null;
  private failedAttempts = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, PendingCall>();
  /** requests waiting for the socket to open, in call order */
  private readonly unsent = new Map<number, string>();
  private readonly events = new EventListeners();
  private readonly connectionListeners = new Set<(connected: boolean) => void>();
  private readonly createSocket: (url: string) => WebSocket;
  private readonly callTimeoutMs: number;

  constructor(private readonly options: WebSocketClientOptions) {
    this.createSocket = options.createSocket ?? ((url) => new WebSocket(url));
    this.callTimeoutMs = options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    this.connect();
  }

  get connected(): boolean {
    return this.state === 'open';
  }

  call<M extends MethodName>(method: M, params: ParamsOf<M>, options?: CallOptions): Promise<ResultOf<M>> {
    if (this.state === 'disposed') {
      return Promise.reject(unavailable('The client was closed', method));
    }
    const id = this.nextId++;
    const text = encodeRequest(options?.signature === undefined ? { id, method, params } : { id, method, params, signature: options.signature });
    return new Promise<ResultOf<M>>((resolve, reject) => {
      const timeout = setTimeout(() => {
        this.pending.delete(id);
        this.unsent.delete(id);
        reject(unavailable(`${method}: no answer from the runtime within ${this.callTimeoutMs / 1000} s`, method));
      }, this.callTimeoutMs);
      this.pending.set(id, { method, resolve: resolve as (r: unknown) => void, reject, timeout });
      if (this.state === 'open' && this.socket !== null) {
        this.socket.send(text);
      } else {
        this.unsent.set(id, text);
      }
    });
  }

  on<E extends EventName>(event: E, listener: (data: ApiEvents[E]) => void): () => void {
    return this.events.add(event, listener);
  }

  /** The listener is called at once with the current state, then on every change. */
  onConnection(listener: (connected: boolean) => void): () => void {
    this.connectionListeners.add(listener);
    listener(this.connected);
    return () => {
      this.connectionListeners.delete(listener);
    };
  }

  dispose(): void {
    if (this.state === 'disposed') return;
    const wasOpen = this.state === 'open';
    this.state = 'disposed';
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    const socket = this.socket;
    this.socket = null;
    socket?.close();
    this.rejectAll('The client was closed');
    if (wasOpen) this.emitConnection(false);
  }

  private connect(): void {
    this.state = 'connecting';
    let socket: WebSocket;
    try {
      socket = this.createSocket(this.options.url);
    } catch (err) {
      // e.g. a malformed URL: treat like a failed attempt so the loop keeps its rhythm
      console.error('cannot open the runtime WebSocket', err);
      this.onClosed();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.state = 'open';
      this.failedAttempts = 0;
      for (const text of this.unsent.values()) socket.send(text);
      this.unsent.clear();
      this.emitConnection(true);
    };
    socket.onmessage = (ev: MessageEvent) => {
      if (this.socket !== socket) return;
      if (typeof ev.data === 'string') this.onMessage(ev.data);
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.onClosed();
    };
    // an error is always followed by close; nothing to do here but keep the console quiet
    socket.onerror = () => {};
  }

  private onClosed(): void {
    const wasOpen = this.state === 'open';
    this.socket = null;
    this.state = 'waiting';
    this.rejectAll('Connection to the Lineside runtime was lost');
    if (wasOpen) this.emitConnection(false);
    else this.failedAttempts++;
    const delay = reconnectDelayMs(wasOpen ? 0 : this.failedAttempts - 1);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.state === 'waiting') this.connect();
    }, delay);
  }

  private onMessage(text: string): void {
    const frame = parseServerFrame(text);
    switch (frame.kind) {
      case 'reply': {
        const call = this.pending.get(frame.id);
        if (call === undefined) return; // timed out already
        this.pending.delete(frame.id);
        clearTimeout(call.timeout);
        if (frame.reply.ok) call.resolve(frame.reply.result);
        else call.reject(new ApiError(frame.reply.error));
        return;
      }
      case 'event':
        this.events.dispatch(frame.event);
        return;
      case 'invalid':
        console.warn(`ignored a malformed frame from the runtime: ${frame.reason}`);
        return;
    }
  }

  private rejectAll(message: string): void {
    const calls = [...this.pending.values()];
    this.pending.clear();
    this.unsent.clear();
    for (const call of calls) {
      clearTimeout(call.timeout);
      call.reject(unavailable(`${call.method}: ${message}`, call.method));
    }
  }

  private emitConnection(connected: boolean): void {
    for (const listener of [...this.connectionListeners]) {
      try {
        listener(connected);
      } catch (err) {
        console.error('connection listener failed', err);
      }
    }
  }
}
