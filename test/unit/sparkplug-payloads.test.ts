/**
 * The Sparkplug B view's pure parts: our data types as Sparkplug's, quality as the `Quality`
 * property, a bad value as a null metric (never the held value as good), births and data
 * through Eclipse Tahu's codec and back, seq and bdSeq counting, and the `sparkplug:` section
 * (defaults, what is refused, with the place).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseProjectText, ProjectFileError } from '../../main/config/project-loader';
import { sparkplugOptionsOf } from '../../main/app/sparkplug-wiring';
import {
  decodePayload,
  deviceBirth,
  deviceData,
  deviceTopic,
  encodePayload,
  isRebirthRequest,
  nodeBirth,
  nodeDeath,
  nodeTopic,
  qualityCode,
  samePublished,
  sparkplugType,
  tagMetric,
  type MetricDef,
  type UMetric,
} from '../../main/sparkplug/payloads';
import { firstBdSeq, MemoryBdSeqStore, nextSeq, SeqCounter } from '../../main/sparkplug/sequence';
import type { TagDataType, TagValue } from '../../shared/types';
import type { QualityLevel } from '../../shared/quality';

/** A decoded 64-bit field (Long) or a number, as a number; signed for Int64. */
function num(v: unknown, signed = false): number {
  if (typeof v === 'number') return v;
  const l = v as { low: number; high: number };
  return (signed ? l.high | 0 : l.high >>> 0) * 2 ** 32 + (l.low >>> 0);
}

const def = (tagId: string, dataType: TagDataType, units = ''): MetricDef => ({ tagId, deviceId: 'plc', dataType, units, description: '' });
const val = (tagId: string, value: TagValue['value'], level: QualityLevel = 'good', ts = 1_700_000_000_123): TagValue => ({
  tagId,
  value,
  quality: { level, reason: level === 'good' ? 'ok' : level === 'uncertain' ? 'stale' : 'comm_failure' },
  sourceTs: ts,
  ts: ts + 5,
});

test('1. data types map to Sparkplug types', () => {
  const expected: Record<TagDataType, string> = {
    bool: 'Boolean',
    int16: 'Int16',
    uint16: 'UInt16',
    int32: 'Int32',
    uint32: 'UInt32',
    int64: 'Int64',
    uint64: 'UInt64',
    float32: 'Float',
    float64: 'Double',
    string: 'String',
  };
  for (const [dt, sp] of Object.entries(expected)) assert.equal(sparkplugType(dt as TagDataType), sp, dt);
});

test('2. quality: good 192, uncertain 64, bad 0; a bad value goes as null, never the held value', () => {
  assert.equal(qualityCode({ level: 'good', reason: 'ok' }), 192);
  assert.equal(qualityCode({ level: 'uncertain', reason: 'out_of_range' }), 64);
  assert.equal(qualityCode({ level: 'bad', reason: 'comm_failure' }), 0);
  const d = def('Speed', 'float64', 'mm/s');
  const good = tagMetric(d, val('Speed', 12.5), 0, true);
  assert.equal(good.value, 12.5);
  assert.equal(good.properties?.Quality.value, 192);
  assert.equal(good.properties?.engUnit.value, 'mm/s');
  const uncertain = tagMetric(d, val('Speed', 12.5, 'uncertain'), 0, false);
  assert.deepEqual([uncertain.value, uncertain.properties?.Quality.value, uncertain.properties?.engUnit], [12.5, 64, undefined]);
  const bad = tagMetric(d, val('Speed', 12.5, 'bad'), 0, false);
  assert.deepEqual([bad.value, bad.properties?.Quality.value], [null, 0]);
  const none = tagMetric(d, undefined, 42, true);
  assert.deepEqual([none.value, none.properties?.Quality.value, none.timestamp], [null, 0, 42]);
  // a value the type cannot carry is null with Quality 0, not a good-looking number
  const nan = tagMetric(def('N', 'int32'), val('N', Number.NaN), 0, false);
  assert.deepEqual([nan.value, nan.properties?.Quality.value], [null, 0]);
  // what DDATA compares: a change of value or of quality code; two bad values are the same null
  assert.equal(samePublished(val('S', 1), val('S', 1)), true);
  assert.equal(samePublished(val('S', 1), val('S', 2)), false);
  assert.equal(samePublished(val('S', 1), val('S', 1, 'uncertain')), false);
  assert.equal(samePublished(val('S', 1, 'bad'), val('S', 2, 'bad')), true);
  assert.equal(samePublished(undefined, val('S', 1)), false);
});

test('3. DBIRTH and DDATA through the Tahu codec and back: names, types, values, units, quality, isNull', () => {
  const defs = [def('Speed', 'float64', 'mm/s'), def('Count', 'uint32', 'packs'), def('Run', 'bool'), def('Code', 'string'), def('Dev', 'int64'), def('Temp', 'float32', '°C'), def('Amb', 'int16')];
  const values = new Map<string, TagValue>([
    ['Speed', val('Speed', 101.25)],
    ['Count', val('Count', 3_000_000_000)],
    ['Run', val('Run', true)],
    ['Code', val('Code', 'A-17')],
    ['Dev', val('Dev', -5, 'uncertain')],
    ['Temp', val('Temp', 21.5, 'bad')],
  ]);
  const p = decodePayload(encodePayload(deviceBirth(defs, values, 1, 1_700_000_000_000)));
  assert.equal(num(p.seq), 1);
  assert.equal(num(p.timestamp), 1_700_000_000_000);
  const m = new Map((p.metrics ?? []).map((x: UMetric) => [x.name, x]));
  assert.deepEqual([...m.keys()], defs.map((d) => d.tagId));
  assert.deepEqual(defs.map((d) => m.get(d.tagId)!.type), ['Double', 'UInt32', 'Boolean', 'String', 'Int64', 'Float', 'Int16']);
  assert.equal(m.get('Speed')!.value, 101.25);
  assert.equal(num(m.get('Count')!.value), 3_000_000_000);
  assert.equal(m.get('Run')!.value, true);
  assert.equal(m.get('Code')!.value, 'A-17');
  assert.equal(num(m.get('Dev')!.value, true), -5);
  assert.equal(m.get('Dev')!.properties?.Quality.value, 64);
  assert.equal(m.get('Temp')!.value, null, 'bad: isNull on the wire');
  assert.equal(m.get('Temp')!.properties?.Quality.value, 0);
  assert.equal(m.get('Temp')!.properties?.engUnit.value, '°C');
  assert.equal(m.get('Amb')!.value, null, 'no value yet');
  assert.equal(m.get('Speed')!.properties?.engUnit.value, 'mm/s');
  assert.equal(num(m.get('Speed')!.timestamp), 1_700_000_000_123, 'the source timestamp');

  const d = decodePayload(encodePayload(deviceData([{ def: defs[0], value: val('Speed', 99) }, { def: defs[1], value: val('Count', 7, 'bad') }], 255, 5)));
  assert.equal(num(d.seq), 255);
  assert.deepEqual(
    (d.metrics ?? []).map((x) => [x.name, x.value, x.properties?.Quality.value, x.properties?.engUnit]),
    [
      ['Speed', 99, 192, undefined],
      ['Count', null, 0, undefined],
    ],
  );
});

test('4. NBIRTH, NDEATH, NCMD rebirth and topics', () => {
  const b = decodePayload(encodePayload(nodeBirth(7, 1000)));
  assert.equal(num(b.seq), 0);
  assert.deepEqual(
    (b.metrics ?? []).map((x) => [x.name, x.type, x.name === 'bdSeq' ? num(x.value, true) : x.value]),
    [
      ['bdSeq', 'Int64', 7],
      ['Node Control/Rebirth', 'Boolean', false],
    ],
  );
  const death = decodePayload(encodePayload(nodeDeath(7, 1000)));
  assert.equal(death.seq, undefined, 'NDEATH has no seq');
  assert.deepEqual((death.metrics ?? []).map((x) => [x.name, num(x.value, true)]), [['bdSeq', 7]]);
  const cmd = decodePayload(encodePayload({ timestamp: 1, metrics: [{ name: 'Node Control/Rebirth', type: 'Boolean', value: true }] }));
  assert.equal(isRebirthRequest(cmd), true);
  assert.equal(isRebirthRequest({ metrics: [{ name: 'Node Control/Rebirth', type: 'Boolean', value: false }] }), false);
  assert.equal(nodeTopic('Plant7', 'NBIRTH', 'L2'), 'spBv1.0/Plant7/NBIRTH/L2');
  assert.equal(deviceTopic('Plant7', 'DDATA', 'L2', 'plc'), 'spBv1.0/Plant7/DDATA/L2/plc');
});

test('5. seq wraps 255 → 0 and restarts at NBIRTH; bdSeq follows the last established session', () => {
  const s = new SeqCounter();
  assert.equal(s.reset(), 0);
  const seen: number[] = [];
  for (let i = 0; i < 300; i++) seen.push(s.take());
  assert.equal(seen[0], 1);
  assert.equal(seen[254], 255);
  assert.equal(seen[255], 0);
  assert.equal(seen[256], 1);
  assert.equal(s.reset(), 0);
  assert.equal(s.take(), 1);
  assert.equal(nextSeq(255), 0);
  assert.equal(firstBdSeq(new MemoryBdSeqStore()), 0);
  assert.equal(firstBdSeq(new MemoryBdSeqStore(4)), 5);
  assert.equal(firstBdSeq(new MemoryBdSeqStore(255)), 0);
});

const base = `version: 1
name: Test line
site: Plant 7
line: L2
devices:
  - { id: plc, protocol: modbus-tcp, host: 127.0.0.1 }
  - { id: spare, protocol: modbus-tcp, host: 127.0.0.2, enabled: false }
tags:
  - { id: T1, device: plc, address: HR10, dataType: float32, units: mm/s }
  - { id: T2, device: plc, address: CO1, dataType: bool }
  - { id: T3, device: spare, address: HR1, dataType: uint16 }
`;

function issues(text: string): ProjectFileError['issues'] {
  try {
    parseProjectText(text, 'line.yaml');
  } catch (err) {
    assert.ok(err instanceof ProjectFileError, String(err));
    return err.issues;
  }
  assert.fail('expected the project to be refused');
}

test('6. the sparkplug: section: off when absent, defaults, the options the edge node gets', () => {
  const off = parseProjectText(base);
  assert.equal(off.sparkplug.enabled, false);
  assert.equal(sparkplugOptionsOf(off), null);
  const p = parseProjectText(`${base}sparkplug:\n  enabled: true\n  url: mqtt://broker.plant:1883\n  groupId: Plant7\n`);
  const o = sparkplugOptionsOf(p)!;
  assert.deepEqual([o.groupId, o.edgeNodeId, o.keepaliveS, o.minPublishIntervalMs, o.reconnectMs], ['Plant7', 'L2', 30, 200, 2000]);
  assert.deepEqual(
    o.metrics.map((m) => [m.tagId, m.deviceId, m.dataType, m.units]),
    [
      ['T1', 'plc', 'float32', 'mm/s'],
      ['T2', 'plc', 'bool', ''],
    ],
    'the tags of enabled devices',
  );
  assert.match(o.clientId, /^[A-Za-z0-9_.-]+$/);
  const only = parseProjectText(`${base}sparkplug:\n  enabled: true\n  url: mqtt://b:1883\n  groupId: G\n  tags: [T2]\n`);
  assert.deepEqual(sparkplugOptionsOf(only)!.metrics.map((m) => m.tagId), ['T2']);
});

test('7. the sparkplug: section: what is refused, located', () => {
  const at = (yaml: string) => issues(`${base}sparkplug:\n${yaml}`).map((i) => `${i.path}@${i.line}: ${i.message}`);
  assert.deepEqual(at('  enabled: true\n  url: mqtt://b:1883\n'), ['site@3: "Plant 7" is not a Sparkplug group id (no +, #, / or spaces): set sparkplug.groupId']);
  const noUrl = at('  enabled: true\n  groupId: G\n');
  assert.equal(noUrl.length, 1);
  assert.match(noUrl[0], /^sparkplug\.url@13: an enabled Sparkplug sink needs the broker url/);
  assert.match(at('  enabled: true\n  url: http://b\n  groupId: G\n')[0], /^sparkplug\.url@14: must be mqtt:\/\/host/);
  assert.match(at('  enabled: true\n  url: mqtt://b\n  groupId: a/b\n')[0], /^sparkplug\.groupId@15: a Sparkplug id has no \+, #, \//);
  assert.match(at('  enabled: true\n  url: mqtt://b\n  edgeNodeId: "L#2"\n  groupId: G\n')[0], /^sparkplug\.edgeNodeId@15:/);
  assert.match(at('  enabled: true\n  url: mqtt://b\n  groupId: G\n  tags: [T1, Nope]\n')[0], /^sparkplug\.tags\[1\]@16: unknown tag "Nope"/);
  assert.match(at('  enabled: true\n  url: mqtt://b\n  groupId: G\n  colour: red\n')[0], /^sparkplug@\d+: unknown field\(s\): colour/);
  assert.match(at('  enabled: true\n  url: mqtt://b\n  groupId: G\n  password: x\n')[0], /^sparkplug\.username@\d+: a password needs a username/);
  assert.match(at('  enabled: true\n  url: mqtt://b\n  groupId: G\n  tls: { rejectUnauthorized: false }\n')[0], /^sparkplug\.tls@16: TLS settings need an mqtts:\/\/ URL/);
});
