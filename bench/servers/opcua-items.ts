/**
 * Child process for the acquisition benchmark: a node-opcua server with ITEMS Double variables
 * (ns=1;s=Bench.V<i>), every one changed every UPDATE_MS with a SourceTimestamp of the change.
 * Prints {"endpoint": …} once listening; answers "stats" on stdin with the values it changed
 * and the data-change notifications its subscriptions sent.
 */
import { DataType, OPCUAServer, StatusCodes, Variant, type UAVariable } from 'node-opcua';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OPCUACertificateManager } from 'node-opcua';
import { createInterface } from 'node:readline';

async function main(): Promise<void> {
  const items = Number(process.env.ITEMS ?? 5000);
  const updateMs = Number(process.env.UPDATE_MS ?? 100);
  const pki = mkdtempSync(join(tmpdir(), 'lineside-bench-ua-'));
  const serverCertificateManager = new OPCUACertificateManager({ rootFolder: pki, automaticallyAcceptUnknownCertificate: true });
  const server = new OPCUAServer({
    port: 0,
    hostname: '127.0.0.1',
    resourcePath: '/UA/Bench',
    serverCertificateManager,
    maxConnectionsPerEndpoint: 20,
    serverCapabilities: { maxMonitoredItems: 100_000, operationLimits: { maxMonitoredItemsPerCall: 10_000, maxNodesPerRead: 10_000 } },
  });
  await server.initialize();
  const ns = server.engine.addressSpace!.getOwnNamespace();
  const folder = ns.addFolder(server.engine.addressSpace!.rootFolder.objects, { browseName: 'Bench' });
  const vars: UAVariable[] = [];
  for (let i = 0; i < items; i++) {
    vars.push(ns.addVariable({ componentOf: folder, browseName: `V${i}`, nodeId: `s=Bench.V${i}`, dataType: 'Double', minimumSamplingInterval: updateMs }));
  }
  let changed = 0;
  let k = 0;
  const update = () => {
    k++;
    const ts = new Date();
    for (let i = 0; i < vars.length; i++) {
      vars[i].setValueFromSource(new Variant({ dataType: DataType.Double, value: k + i / 1e6 }), StatusCodes.Good, ts);
    }
    changed += vars.length;
  };
  update();
  const timer = setInterval(update, updateMs);
  await server.start();
  process.stdout.write(`${JSON.stringify({ endpoint: `opc.tcp://127.0.0.1:${server.endpoints[0].port}/UA/Bench` })}\n`);
  const notifications = () =>
    server.engine.getSessions().reduce((n, s) => n + s.publishEngine.subscriptions.reduce((m, sub) => m + sub.subscriptionDiagnostics.dataChangeNotificationsCount, 0), 0);
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line.trim() === 'stats') process.stdout.write(`${JSON.stringify({ changed, notifications: notifications() })}\n`);
  });
  const stop = () => {
    clearInterval(timer);
    void server.shutdown(0).then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main();
