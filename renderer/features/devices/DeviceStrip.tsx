import type { DeviceStatus } from '../../../shared/types';
import { formatClock } from '../overview/format';
import { useNow } from '../../state/useNow';
import { deviceErrorIsCurrent, deviceStateDisplay, protocolLabel } from './device-display';

function DeviceCard({ device }: { device: DeviceStatus }) {
  const state = deviceStateDisplay(device.state);
  const now = useNow();
  return (
    <li
      className={`device device--${state.tone}`}
      data-device-id={device.deviceId}
      data-state={device.state}
      title={`${device.endpoint} · ${device.requests} requests, ${device.errors} errors, ${device.reconnects} reconnects`}
    >
      <div className="device__head">
        <span className="device__name">{device.name}</span>
        <span className="device__protocol">{protocolLabel(device.protocol)}</span>
      </div>
      <div className="device__state" data-testid="device-state">
        {state.label}
      </div>
      {deviceErrorIsCurrent(device, now) && (
        <div className="device__error" data-testid="device-error">
          {device.lastErrorTs !== null && <span className="device__error-time">{formatClock(device.lastErrorTs)}</span>}
          {device.lastError}
        </div>
      )}
    </li>
  );
}

export function DeviceStrip({ devices }: { devices: DeviceStatus[] }) {
  if (devices.length === 0) return null;
  return (
    <ul className="device-strip" aria-label="Devices">
      {devices.map((d) => (
        <DeviceCard key={d.deviceId} device={d} />
      ))}
    </ul>
  );
}
