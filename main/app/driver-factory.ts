import type { DeviceConfig } from '../config/project-schema';
import type { Driver } from '../drivers/driver';
import { ModbusTcpDriver } from '../drivers/modbus/modbus-tcp-driver';
import { OpcUaDriver } from '../drivers/opcua/opcua-driver';
import type { Clock } from '../util/clock';

export function createDriver(d: DeviceConfig, clock: Clock, pkiDir: string): Driver {
  switch (d.protocol) {
    case 'modbus-tcp':
      return new ModbusTcpDriver({
        deviceId: d.id,
        name: d.name ?? d.id,
        host: d.host,
        port: d.port,
        unitId: d.unitId,
        timeoutMs: d.timeoutMs,
        wordOrder: d.wordOrder,
        clock,
      });
    case 'opcua':
      return new OpcUaDriver({ deviceId: d.id, name: d.name ?? d.id, endpoint: d.endpoint, timeoutMs: d.timeoutMs, pkiDir, clock });
  }
}
