import type { LinesideClient, PreloadBridge } from '../../shared/api';
import { IpcClient } from './ipc-client';
import { runtimeSocketUrl } from './runtime-url';
import { WebSocketClient } from './ws-client';

declare global {
  interface Window {
    /** put there by the Electron preload; absent in a browser */
    lineside?: PreloadBridge;
  }
}

/** The Electron bridge when the preload installed one, otherwise the headless shell's WebSocket. */
export function createClient(): LinesideClient {
  const bridge = window.lineside;
  if (bridge !== undefined) return new IpcClient(bridge);
  return new WebSocketClient({ url: runtimeSocketUrl(window.location) });
}
