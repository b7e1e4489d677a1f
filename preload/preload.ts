/**
 * The preload of the Lineside window (after VS Code's sandboxed preload): runs sandboxed and
 * context-isolated, so it can only use `electron` (contextBridge, ipcRenderer); scripts/build.mjs
 * bundles it with ../shared into one file. It exposes the allow-listed bridge and nothing else.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { createBridge } from './bridge';

contextBridge.exposeInMainWorld('lineside', createBridge(ipcRenderer));
