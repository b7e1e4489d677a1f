import type { DeviceConfig, OpcUaDeviceConfig } from '../config/project-schema';
import type { Driver } from '../drivers/driver';
import { ModbusTcpDriver } from '../drivers/modbus/modbus-tcp-driver';
import { ModbusRtuDriver } from '../drivers/modbus/modbus-rtu-driver';
import { OpcUaDriver } from '../drivers/opcua/opcua-driver';
import type { UserCredentials } from '../drivers/opcua/opcua-connection';
import type { Clock } from '../util/clock';

export function createDriver(d: DeviceConfig, clock: Clock, pkiDir: string, env: NodeJS.ProcessEnv = process.env): Driver {
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
    case 'modbus-rtu':
      return new ModbusRtuDriver({
        deviceId: d.id,
        name: d.name ?? d.id,
        line: {
          path: d.port,
          baudRate: d.baudRate,
          parity: d.parity,
          dataBits: d.dataBits,
          stopBits: d.stopBits,
          interFrameDelayMs: d.interFrameDelayMs,
        },
        unitId: d.unitId,
        timeoutMs: d.timeoutMs,
        wordOrder: d.wordOrder,
        clock,
      });
    case 'opcua':
      return new OpcUaDriver({
        deviceId: d.id,
        name: d.name ?? d.id,
        endpoint: d.endpoint,
        timeoutMs: d.timeoutMs,
        pkiDir,
        clock,
        mode: d.mode,
        securityMode: d.securityMode,
        securityPolicy: d.securityPolicy,
        user: opcuaUser(d, env),
      });
  }
}

/** The password comes from the project file or, better, from the environment variable it names. */
export function opcuaUser(d: OpcUaDeviceConfig, env: NodeJS.ProcessEnv): UserCredentials | null {
  if (d.username === undefined) return null;
  if (d.passwordEnv !== undefined) {
    const value = env[d.passwordEnv];
    return { username: d.username, password: value === '' ? undefined : value, passwordSource: `environment variable ${d.passwordEnv}` };
  }
  return { username: d.username, password: d.password, passwordSource: 'the project file' };
}
