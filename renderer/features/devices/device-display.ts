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
