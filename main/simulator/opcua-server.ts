/**
 * Serves the line model over OPC UA with node-opcua. Variables live in the server's own
 * namespace (index 1) under the Objects folder `Line1`; every model tick pushes a new value with
 * the model's time as SourceTimestamp, so clients see when the value was sampled, not when they
 * asked for it.
 */
import path from 'node:path';
import { format } from 'node:util';
import {
  DataType,
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAServer,
  RegisterServerMethod,
  SecurityPolicy,
  StatusCodes,
  setDebugLogger,
  setErrorLogger,
  setWarningLogger,
  type UAVariable,
} from 'node-opcua';
import type { LineSnapshot } from './line-model';

export const OPCUA_RESOURCE_PATH = '/UA/Lineside';
export const OPCUA_APPLICATION_URI = 'urn:lineside:simulator';

export interface OpcuaSimulatorServerOptions {
  host: string;
  /** where the server really listens; 0 picks a free port */
  port: number;
  /** the URL clients are told to use (the dropout gate's public port); default the server's own */
  advertisedUrl?: string;
  pkiDir: string;
  /** the fastest a client can usefully sample: the model's tick */
  minimumSamplingIntervalMs: number;
  log: (message: string) => void;
  /** user name / password logins accepted besides anonymous ones */
  users?: readonly { username: string; password: string }[];
  /** default true */
  allowAnonymous?: boolean;
  /** most simultaneous sessions (BadTooManySessions beyond); default node-opcua's (10) */
  maxSessions?: number;
  /** answer CreateSubscription with BadTooManySubscriptions, as small PLC servers do */
  refuseSubscriptions?: boolean;
  /** extra writable Double variables `ns=1;s=Line1.<name>` (initially 0), for client write tests */
  writableVariables?: readonly string[];
}

export interface OpcuaSimulatorServer {
  /** stays the same across restart() */
  readonly port: number;
  readonly namespaceIndex: number;
  /** the server's application certificate (DER): what a client trusts */
  readonly certificate: Buffer;
  /** sessions open right now */
  readonly sessionCount: number;
  publish(snapshot: LineSnapshot): void;
  /**
   * Shuts the server down (clients see their connections closed) and, after `downMs`, starts a
   * new one on the same port with the same certificate: a PLC or server restart.
   */
  restart(downMs?: number): Promise<void>;
  close(): Promise<void>;
}

interface PublishedVariable {
  browseName: string;
  dataType: DataType;
  description: string;
  value: (s: LineSnapshot) => number | string | boolean;
}

/** The served OPC UA variables; their NodeIds are `ns=1;s=Line1.<browseName>`. */
export const publishedVariables: readonly PublishedVariable[] = [
  { browseName: 'State', dataType: DataType.Int32, description: '0 stopped, 1 idle (starved), 2 running, 3 faulted, 4 blocked, 5 changeover', value: (s) => s.state },
  { browseName: 'StateText', dataType: DataType.String, description: 'machine state as text', value: (s) => s.stateText },
  { browseName: 'LineSpeed', dataType: DataType.Double, description: 'line speed, packs/min', value: (s) => s.lineSpeed },
  { browseName: 'Vibration', dataType: DataType.Double, description: 'drive-end vibration, mm/s RMS', value: (s) => s.vibration },
  { browseName: 'Running', dataType: DataType.Boolean, description: 'true while the machine is running', value: (s) => s.motorRunning },
  { browseName: 'ProductCode', dataType: DataType.String, description: 'product being packed', value: (s) => s.productCode },
  {
    browseName: 'SpeedSetpoint',
    dataType: DataType.Double,
    description: 'speed setpoint, packs/min (read-only mirror of Modbus HR0)',
    value: (s) => s.speedSetpoint,
  },
];

let nodeOpcuaLogsRouted = false;

/**
 * node-opcua prints its warnings with console.log, i.e. on stdout, where our CLIs print the
 * endpoints other programs parse. Its loggers are process-wide, so this reroutes every
 * node-opcua user in the process to stderr; that is what any of them would want.
 */
export function routeNodeOpcuaLogsToStderr(): void {
  if (nodeOpcuaLogsRouted) return;
  nodeOpcuaLogsRouted = true;
  const toStderr =
    (level: string) =>
    (_context?: unknown, ...args: unknown[]): void => {
      process.stderr.write(`[node-opcua ${level}] ${format(...args)}\n`);
    };
  setWarningLogger(toStderr('warning'));
  setErrorLogger(toStderr('error'));
  setDebugLogger(toStderr('debug'));
}

interface RunningServer {
  server: OPCUAServer;
  variables: { def: PublishedVariable; node: UAVariable }[];
  namespaceIndex: number;
  port: number;
  managers: OPCUACertificateManager[];
}

async function launch(o: OpcuaSimulatorServerOptions, port: number): Promise<RunningServer> {
  // Both managers get folders of their own under pkiDir: node-opcua's default is the user's
  // home folder, which a simulator (and a test run) has no business writing to.
  const certificateManagerOptions = { automaticallyAcceptUnknownCertificate: true, disableFileWatchers: true };
  const serverCertificateManager = new OPCUACertificateManager({
    ...certificateManagerOptions,
    rootFolder: path.join(o.pkiDir, 'server'),
  });
  const userCertificateManager = new OPCUACertificateManager({
    ...certificateManagerOptions,
    rootFolder: path.join(o.pkiDir, 'user'),
  });
  const users = o.users ?? [];

  const server = new OPCUAServer({
    host: o.host,
    hostname: o.host,
    port,
    resourcePath: OPCUA_RESOURCE_PATH,
    ...(o.advertisedUrl !== undefined ? { advertisedEndpoints: o.advertisedUrl } : {}),
    allowAnonymous: o.allowAnonymous ?? true,
    securityModes: [MessageSecurityMode.None, MessageSecurityMode.Sign, MessageSecurityMode.SignAndEncrypt],
    securityPolicies: [SecurityPolicy.None, SecurityPolicy.Basic256Sha256, SecurityPolicy.Aes128_Sha256_RsaOaep, SecurityPolicy.Aes256_Sha256_RsaPss],
    serverCertificateManager,
    userCertificateManager,
    registerServerMethod: RegisterServerMethod.HIDDEN,
    maxConnectionsPerEndpoint: 50,
    ...(o.maxSessions !== undefined ? { serverCapabilities: { maxSessions: o.maxSessions } } : {}),
    userManager: { isValidUser: (username: string, password: string) => users.some((u) => u.username === username && u.password === password) },
    serverInfo: {
      applicationUri: OPCUA_APPLICATION_URI,
      productUri: OPCUA_APPLICATION_URI,
      applicationName: { text: 'Lineside line simulator', locale: 'en' },
    },
    buildInfo: { productName: 'Lineside line simulator', manufacturerName: 'Lineside' },
  });

  try {
    await server.initialize();
    const addressSpace = server.engine.addressSpace;
    if (!addressSpace) throw new Error('node-opcua server has no address space after initialize()');
    // node-opcua has no "no subscriptions" switch; a limit of 0 answers BadTooManySubscriptions.
    if (o.refuseSubscriptions) server.engine.serverCapabilities.maxSubscriptionsPerSession = 0;
    const namespace = addressSpace.getOwnNamespace();
    const namespaceIndex = namespace.index;
    // The drivers and the demo project address nodes as ns=1;s=...: refuse to serve anything
    // else rather than let them read "BadNodeIdUnknown" with no hint why.
    if (namespaceIndex !== 1) throw new Error(`OPC UA own namespace has index ${namespaceIndex}, expected 1`);

    const line1 = namespace.addFolder(addressSpace.rootFolder.objects, { browseName: 'Line1', nodeId: 's=Line1' });
    const variables = publishedVariables.map((def) => ({
      def,
      node: namespace.addVariable({
        organizedBy: line1,
        browseName: def.browseName,
        nodeId: `s=Line1.${def.browseName}`,
        dataType: def.dataType,
        description: def.description,
        accessLevel: 'CurrentRead',
        userAccessLevel: 'CurrentRead',
        minimumSamplingInterval: o.minimumSamplingIntervalMs,
      }),
    }));
    for (const name of o.writableVariables ?? []) {
      namespace.addVariable({
        organizedBy: line1,
        browseName: name,
        nodeId: `s=Line1.${name}`,
        dataType: DataType.Double,
        accessLevel: 'CurrentRead | CurrentWrite',
        userAccessLevel: 'CurrentRead | CurrentWrite',
        minimumSamplingInterval: o.minimumSamplingIntervalMs,
        value: { dataType: DataType.Double, value: 0 },
      });
    }
    await server.start();
    return { server, variables, namespaceIndex, port: server.endpoints[0]?.port ?? port, managers: [serverCertificateManager, userCertificateManager] };
  } catch (err) {
    await server.shutdown(0).catch(() => undefined);
    await Promise.allSettled([serverCertificateManager.dispose(), userCertificateManager.dispose()]);
    throw err;
  }
}

async function shutdown(r: RunningServer): Promise<void> {
  await r.server.shutdown(0);
  await Promise.allSettled(r.managers.map((m) => m.dispose()));
}

export async function startOpcuaServer(o: OpcuaSimulatorServerOptions): Promise<OpcuaSimulatorServer> {
  routeNodeOpcuaLogsToStderr();
  let running: RunningServer | null = await launch(o, o.port);
  const { port, namespaceIndex } = running;
  const certificate = Buffer.from(running.server.getCertificate());
  let last: LineSnapshot | null = null;
  o.log(`OPC UA server listening on ${o.host}:${port}, own namespace ns=${namespaceIndex}`);

  const publishTo = (r: RunningServer, snapshot: LineSnapshot) => {
    const sourceTimestamp = new Date(snapshot.timeMs);
    for (const { def, node } of r.variables) {
      node.setValueFromSource({ dataType: def.dataType, value: def.value(snapshot) }, StatusCodes.Good, sourceTimestamp);
    }
  };

  return {
    port,
    namespaceIndex,
    certificate,
    get sessionCount() {
      return running?.server.currentSessionCount ?? 0;
    },
    publish(snapshot) {
      last = snapshot;
      if (running) publishTo(running, snapshot);
    },
    async restart(downMs = 0) {
      const r = running;
      running = null;
      if (r) await shutdown(r);
      if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
      const next = await launch(o, port);
      running = next;
      if (last) publishTo(next, last);
      o.log(`OPC UA server restarted on ${o.host}:${port}`);
    },
    async close() {
      const r = running;
      running = null;
      if (r) await shutdown(r);
    },
  };
}
