/**
 * OPC UA test fixtures: the simulator's node-opcua server on loopback driven by a LineModel the
 * test steps itself, a TCP relay that can cut every connection (a pulled cable plugged back in),
 * an OpcUaDriver with test defaults, and the technician's manual trust procedure.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import type { DriverReading, DriverTag, ReadPlan } from '../../main/drivers/driver';
import { OpcUaDriver, type OpcUaDriverOptions } from '../../main/drivers/opcua/opcua-driver';
import { LineModel, type LineSnapshot } from '../../main/simulator/line-model';
import { OPCUA_RESOURCE_PATH, startOpcuaServer, type OpcuaSimulatorServer, type OpcuaSimulatorServerOptions } from '../../main/simulator/opcua-server';
import { systemClock } from '../../main/util/clock';

export interface TestOpcUaServer {
  readonly endpoint: string;
  readonly port: number;
  readonly server: OpcuaSimulatorServer;
  readonly model: LineModel;
  /** steps the model and publishes: every variable gets a new SourceTimestamp */
  tick(ms?: number): LineSnapshot;
  startTicking(everyMs: number): void;
  stopTicking(): void;
  stop(): Promise<void>;
}

export type TestServerOptions = Partial<Pick<OpcuaSimulatorServerOptions, 'port' | 'users' | 'allowAnonymous' | 'maxSessions' | 'refuseSubscriptions' | 'writableVariables'>> & {
  pkiDir: string;
};

export async function startTestOpcUaServer(o: TestServerOptions): Promise<TestOpcUaServer> {
  const model = new LineModel({ seed: 7, startTimeMs: Date.now() - 120_000, idlePeriods: false });
  model.step(60_000); // running, up to speed
  const server = await startOpcuaServer({
    host: '127.0.0.1',
    port: o.port ?? 0,
    pkiDir: o.pkiDir,
    minimumSamplingIntervalMs: 50,
    log: () => undefined,
    users: o.users,
    allowAnonymous: o.allowAnonymous,
    maxSessions: o.maxSessions,
    refuseSubscriptions: o.refuseSubscriptions,
    writableVariables: o.writableVariables,
  });
  server.publish(model.snapshot());
  let ticker: NodeJS.Timeout | null = null;
  const tick = (ms = 100) => {
    model.step(ms);
    const s = model.snapshot();
    server.publish(s);
    return s;
  };
  return {
    endpoint: `opc.tcp://127.0.0.1:${server.port}${OPCUA_RESOURCE_PATH}`,
    port: server.port,
    server,
    model,
    tick,
    startTicking(everyMs) {
      ticker ??= setInterval(() => tick(everyMs), everyMs);
    },
    stopTicking() {
      if (ticker) clearInterval(ticker);
      ticker = null;
    },
    async stop() {
      if (ticker) clearInterval(ticker);
      ticker = null;
      await server.close();
    },
  };
}

export function testDriver(over: Partial<OpcUaDriverOptions> & Pick<OpcUaDriverOptions, 'endpoint' | 'pkiDir'>): OpcUaDriver {
  return new OpcUaDriver({ deviceId: 'plc1', name: 'PLC 1', timeoutMs: 1000, clock: systemClock, ...over });
}

/** The simulator's nodes as tags; sampling at `samplingMs`. */
export function lineTags(samplingMs = 100, ...names: string[]): DriverTag[] {
  const all: Record<string, DriverTag['dataType']> = {
    State: 'int32',
    StateText: 'string',
    LineSpeed: 'float64',
    Vibration: 'float64',
    Running: 'bool',
    ProductCode: 'string',
    SpeedSetpoint: 'float64',
  };
  return (names.length > 0 ? names : Object.keys(all)).map((n) => ({ tagId: n, address: `ns=1;s=Line1.${n}`, dataType: all[n], samplingMs }));
}

export async function readMap(driver: OpcUaDriver, plan: ReadPlan): Promise<Map<string, DriverReading>> {
  return new Map((await driver.read(plan)).map((r) => [r.tagId, r]));
}

/** The maintenance procedure: the server certificate file copied into pki/trusted/certs. */
export function trustByFile(pkiDir: string, der: Buffer, name = 'server'): void {
  const folder = join(pkiDir, 'trusted', 'certs');
  mkdirSync(folder, { recursive: true });
  const b64 = der.toString('base64').replace(/.{64}/g, '$&\n');
  writeFileSync(join(folder, `${name}.pem`), `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`);
}

/**
 * A TCP relay in front of a server: `cut()` resets every connection through it (as a switch
 * reboot or a pulled and re-plugged cable does); new connections go through at once.
 */
export class LinkCutter {
  private constructor(
    private readonly server: net.Server,
    readonly port: number,
    private readonly sockets: Set<net.Socket>,
  ) {}

  static listen(targetPort: number): Promise<LinkCutter> {
    return new Promise((resolve, reject) => {
      const relay = new Set<net.Socket>();
      const server = net.createServer((client) => {
        const upstream = net.connect(targetPort, '127.0.0.1');
        relay.add(client);
        relay.add(upstream);
        client.pipe(upstream);
        upstream.pipe(client);
        const end = () => {
          client.destroy();
          upstream.destroy();
          relay.delete(client);
          relay.delete(upstream);
        };
        for (const s of [client, upstream]) {
          s.on('error', end);
          s.on('close', end);
        }
      });
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address() as net.AddressInfo;
        resolve(new LinkCutter(server, address.port, relay));
      });
    });
  }

  endpoint(path = OPCUA_RESOURCE_PATH): string {
    return `opc.tcp://127.0.0.1:${this.port}${path}`;
  }

  cut(): void {
    for (const s of [...this.sockets]) s.resetAndDestroy();
  }

  close(): Promise<void> {
    for (const s of [...this.sockets]) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
