/**
 * What the preload exposes on `window.lineside`: one function per API method, each bound to that
 * method's own IPC channel, `onEvent` for pushed events, and `printToPdf` (the page saved as a
 * PDF by the shell). Nothing else: no `ipcRenderer`, no
 * channel parameter, no `send`. A script that somehow runs in the renderer can call our API
 * methods (which the runtime validates) and nothing more.
 *
 * Kept apart from preload.ts, which only hands this to contextBridge, so that it is tested in
 * plain Node with a fake ipcRenderer (test/unit/electron-preload.test.ts).
 */
import type { IpcRenderer, IpcRendererEvent } from 'electron';
import type { ApiEvent, PreloadBridge } from '../shared/api';
import { IPC_EVENT_CHANNEL, IPC_PRINT_PDF_CHANNEL, ipcChannelFor, methodNames, safePdfFileName, type PdfSaveResult } from '../shared/api-channels';

/** The part of ipcRenderer the bridge uses. */
export type BridgeIpc = Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>;

export function createBridge(ipc: BridgeIpc): PreloadBridge {
  const bridge: Record<string, unknown> = {};
  for (const method of methodNames) {
    const channel = ipcChannelFor(method);
    // the options carry an electronic signature when one goes with the call (the runtime checks it)
    bridge[method] = (params: unknown, options?: unknown) => (options === undefined ? ipc.invoke(channel, params) : ipc.invoke(channel, params, options));
  }
  bridge.onEvent = (listener: (event: ApiEvent) => void): (() => void) => {
    if (typeof listener !== 'function') throw new TypeError('onEvent needs a listener function');
    // The renderer gets the payload only, never the IpcRendererEvent (which carries `sender`,
    // i.e. ipcRenderer itself).
    const handler = (_event: IpcRendererEvent, payload: ApiEvent) => listener(payload);
    ipc.on(IPC_EVENT_CHANNEL, handler);
    return () => {
      ipc.removeListener(IPC_EVENT_CHANNEL, handler);
    };
  };
  bridge.printToPdf = (fileName: string): Promise<PdfSaveResult> => {
    if (safePdfFileName(fileName) === null) throw new TypeError('printToPdf needs a plain file name ending in .pdf');
    return ipc.invoke(IPC_PRINT_PDF_CHANNEL, fileName) as Promise<PdfSaveResult>;
  };
  // Built from methodNames, so its shape is PreloadBridge's by construction; the mapped type
  // cannot be inferred from a loop.
  return Object.freeze(bridge) as PreloadBridge;
}
