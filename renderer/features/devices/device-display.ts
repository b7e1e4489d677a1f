/** Device state → label and tone. Pure. Only states that need attention get a cue. */
import type { DeviceState, DeviceStatus } from '../../../shared/types';

/** normal: no cue · transitional: dashed outline · fault: violet (no trustworthy data) · inactive: greyed */
export type DeviceTone = 'normal' | 'transitional' | 'fault' | 'inactive';

export function deviceStateDisplay(state: DeviceState): { label: string; tone: DeviceTone } {
  switch (state) {
    case 'online':
      return { label: 'Online', tone: 'normal' };
    case 'connecting':
      return { label: 'CONNECTING', tone: 'transitional' };
    case 'degraded':
      return { label: 'DEGRADED', tone: 'transitional' };
    case 'backoff':
      return { label: 'NO COMMS — retrying', tone: 'fault' };
    case 'stopped':
      return { label: 'Stopped', tone: 'inactive' };
  }
}

export function protocolLabel(protocol: DeviceStatus['protocol']): string {
  switch (protocol) {
    case 'modbus-tcp':
      return 'Modbus TCP';
    case 'modbus-rtu':
      return 'Modbus RTU';
    case 'opcua':
      return 'OPC UA';
  }
}

/** A `devices` event may carry all devices or only the changed ones: merge by id, keep order. */
export function mergeDevices(current: readonly DeviceStatus[], updates: readonly DeviceStatus[]): DeviceStatus[] {
  const byId = new Map(updates.map((d) => [d.deviceId, d]));
  const merged = current.map((d) => byId.get(d.deviceId) ?? d);
  const known = new Set(current.map((d) => d.deviceId));
  for (const d of updates) if (!known.has(d.deviceId)) merged.push(d);
  return merged;
}

/** An error on a device that stays online is shown beside its state this long, then only in the diagnostics history. */
export const CURRENT_ERROR_MS = 60_000;

/**
 * Whether the device's last error is its present trouble (shown beside its state) or the past
 * (shown with its time on the Diagnostics screen only): present while the device is not online;
 * on an online device, past once the device has answered since, or a minute after it.
 */
export function deviceErrorIsCurrent(d: Pick<DeviceStatus, 'state' | 'lastError' | 'lastErrorTs' | 'lastOkTs'>, now: number): boolean {
  if (d.lastError === null) return false;
  if (d.state !== 'online') return true;
  if (d.lastErrorTs === null) return false;
  if (d.lastOkTs !== null && d.lastOkTs > d.lastErrorTs) return false;
  return now - d.lastErrorTs < CURRENT_ERROR_MS;
}
