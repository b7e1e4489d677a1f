/**
 * The registry of watched nodes: one entry per (node, sampling interval, deadband), grouped for
 * one CreateMonitoredItems call per parameter set.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DataChangeFilter, DataChangeTrigger, DeadbandType } from 'node-opcua';
import { DEFAULT_SAMPLING_MS, groupBySettings, MonitoredNodeRegistry, monitoringParameters } from '../../main/drivers/opcua/monitored-nodes';

const tag = (tagId: string, address: string, samplingMs?: number, deadband?: { type: 'absolute' | 'percent'; value: number }) => ({
  tagId,
  address,
  dataType: 'float64' as const,
  samplingMs,
  opcuaDeadband: deadband,
});

test('1. tags naming the same node with the same settings share it; other settings get their own', () => {
  const reg = new MonitoredNodeRegistry();
  const a = reg.nodeFor(tag('a', 'ns=1;s=X', 500));
  assert.equal(reg.nodeFor(tag('b', 'ns=1;s=X', 500)), a);
  assert.notEqual(reg.nodeFor(tag('c', 'ns=1;s=X', 1000)), a);
  assert.notEqual(reg.nodeFor(tag('d', 'ns=1;s=X', 500, { type: 'absolute', value: 1 })), a);
  assert.equal(reg.size, 3);
  assert.equal(reg.nodeFor(tag('e', 'ns=1;s=Y')).settings.samplingMs, DEFAULT_SAMPLING_MS);
});

test('2. grouped by sampling interval and deadband', () => {
  const reg = new MonitoredNodeRegistry();
  const nodes = [tag('a', 'ns=1;s=A', 500), tag('b', 'ns=1;s=B', 500), tag('c', 'ns=1;s=C', 1000), tag('d', 'ns=1;s=D', 500, { type: 'percent', value: 2 })].map((t) => reg.nodeFor(t));
  const groups = groupBySettings(nodes).map((g) => g.map((n) => n.address));
  assert.deepEqual(groups, [['ns=1;s=A', 'ns=1;s=B'], ['ns=1;s=C'], ['ns=1;s=D']]);
});

test('3. monitoring parameters: sampling = scan rate, small queue dropping the oldest, DataChangeFilter only with a deadband', () => {
  const plain = monitoringParameters({ samplingMs: 250, deadband: null }, 10);
  assert.deepEqual({ ...plain, filter: plain.filter ?? null }, { samplingInterval: 250, queueSize: 10, discardOldest: true, filter: null });
  const filtered = monitoringParameters({ samplingMs: 250, deadband: { type: 'percent', value: 0.5 } }, 10);
  assert.ok(filtered.filter instanceof DataChangeFilter);
  assert.equal(filtered.filter.deadbandType, DeadbandType.Percent);
  assert.equal(filtered.filter.deadbandValue, 0.5);
  assert.equal(filtered.filter.trigger, DataChangeTrigger.StatusValue);
  const abs = monitoringParameters({ samplingMs: 250, deadband: { type: 'absolute', value: 2 } }, 10).filter as DataChangeFilter;
  assert.equal(abs.deadbandType, DeadbandType.Absolute);
});

test('4. a node keeps its latest value and counts versions', () => {
  const node = new MonitoredNodeRegistry().nodeFor(tag('a', 'ns=1;s=A'));
  assert.equal(node.latest, null);
  node.update({} as never, 5);
  node.update({} as never, 9);
  assert.equal(node.version, 2);
  assert.equal(node.receivedAt, 9);
});
