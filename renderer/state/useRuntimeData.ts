import { useEffect, useState } from 'react';
import type { AppInfo } from '../../shared/api';
import type { DeviceStatus, TagInfo } from '../../shared/types';
import { mergeDevices } from '../features/devices/device-display';
import { useServices } from './services';

export interface RuntimeData {
  info: AppInfo | null;
  /** null until the first load answered */
  tags: TagInfo[] | null;
  devices: DeviceStatus[];
}

/**
 * Loads what the screens are built from, and loads it again on every new connection
 * (`generation`), since frames pushed while we were away are lost. While not `connected`, the
 * held values show as stale.
 */
export function useRuntimeData(generation: number, connected: boolean): RuntimeData {
  const { client, values, messages } = useServices();
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [tags, setTags] = useState<TagInfo[] | null>(null);
  const [devices, setDevices] = useState<DeviceStatus[]>([]);

  useEffect(() => client.on('values', (frame) => values.apply(frame.values)), [client, values]);
  useEffect(() => client.on('devices', (frame) => setDevices((d) => mergeDevices(d, frame.devices))), [client]);
  useEffect(() => client.on('confirmations', (frame) => values.confirm(frame.groups)), [client, values]);
  // Out of reach of the runtime, nothing on screen is live: every good value turns stale until
  // the snapshot after reconnecting.
  useEffect(() => {
    if (!connected) values.markAllStale();
  }, [connected, values]);

  useEffect(() => {
    if (generation === 0) return;
    let current = true;
    const load = <T,>(what: string, promise: Promise<T>, use: (result: T) => void) => {
      promise.then(
        (result) => {
          if (current) use(result);
        },
        (err: unknown) => {
          if (current) messages.reportError(what, err);
        },
      );
    };
    load('Loading app info', client.call('app.info', {}), setInfo);
    load('Loading the tag list', client.call('tags.list', {}), setTags);
    load('Loading current values', client.call('values.snapshot', {}), (snapshot) => values.apply(snapshot));
    load('Loading device status', client.call('devices.list', {}), setDevices);
    return () => {
      current = false;
    };
  }, [client, values, messages, generation]);

  return { info, tags, devices };
}
