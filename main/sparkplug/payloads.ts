/**
 * Sparkplug B payloads (pure): our tags and their values as Sparkplug metrics, encoded with
 * Eclipse Tahu's codec (npm `sparkplug-payload`). docs/sparkplug.md has the tables.
 *
 * A value is never published as good unless it is: a bad one (or none yet) goes as a null
 * metric (isNull) with Quality 0, not as the value the runtime holds; an uncertain one carries
 * its value with Quality 64.
 */
import { get as getCodec } from 'sparkplug-payload';
import type { UMetric, UPayload, UPropertyValue, TypeStr } from 'sparkplug-payload/lib/sparkplugbpayload';
import type { Quality } from '../../shared/quality';
import type { TagDataType, TagScalar, TagValue } from '../../shared/types';

export type { UMetric, UPayload };

const codec = getCodec('spBv1.0');
if (codec === null) throw new Error('sparkplug-payload: no codec for spBv1.0');
const spB = codec;

export const BD_SEQ = 'bdSeq';
export const NODE_REBIRTH = 'Node Control/Rebirth';

/** Sparkplug's quality codes (the `Quality` property, Int32), as Ignition reads them. */
export const QUALITY_GOOD = 192;
export const QUALITY_UNCERTAIN = 64;
export const QUALITY_BAD = 0;

const TYPES: Record<TagDataType, TypeStr> = {
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

export function sparkplugType(dataType: TagDataType): TypeStr {
  return TYPES[dataType];
}

export function qualityCode(q: Quality): number {
  return q.level === 'good' ? QUALITY_GOOD : q.level === 'uncertain' ? QUALITY_UNCERTAIN : QUALITY_BAD;
}

/** One published tag: its metric name is the tag id, its device the Lineside device. */
export interface MetricDef {
  tagId: string;
  deviceId: string;
  dataType: TagDataType;
  units: string;
  description: string;
}

/** The value as the metric's type carries it; null when it cannot be (a NaN, a text in a number). */
function typed(dataType: TagDataType, v: TagScalar): TagScalar | null {
  if (dataType === 'bool') return typeof v === 'boolean' ? v : typeof v === 'number' ? v !== 0 : null;
  if (dataType === 'string') return String(v);
  const n = typeof v === 'string' ? Number.NaN : Number(v);
  if (Number.isNaN(n)) return null;
  if (!Number.isFinite(n) && dataType !== 'float32' && dataType !== 'float64') return null;
  return n;
}

/**
 * A tag's metric: births carry the units and description (`withMeta`), data messages the value
 * and Quality only. `v` undefined: no value yet (null, Quality 0).
 */
export function tagMetric(def: MetricDef, v: TagValue | undefined, now: number, withMeta: boolean): UMetric {
  const code = v === undefined ? QUALITY_BAD : qualityCode(v.quality);
  const value = v === undefined || v.value === null || code === QUALITY_BAD ? null : typed(def.dataType, v.value);
  const properties: Record<string, UPropertyValue> = { Quality: { type: 'Int32', value: value === null ? QUALITY_BAD : code } };
  if (withMeta) {
    properties.engUnit = { type: 'String', value: def.units };
    if (def.description !== '') properties.Documentation = { type: 'String', value: def.description };
  }
  return { name: def.tagId, type: sparkplugType(def.dataType), value, timestamp: v?.sourceTs ?? now, properties };
}

/** NBIRTH: seq 0, the bdSeq of this session's will, and the rebirth control. */
export function nodeBirth(bdSeq: number, now: number): UPayload {
  return {
    timestamp: now,
    seq: 0,
    metrics: [
      { name: BD_SEQ, type: 'Int64', value: bdSeq, timestamp: now },
      { name: NODE_REBIRTH, type: 'Boolean', value: false, timestamp: now },
    ],
  };
}

/** NDEATH (the MQTT will, and published on a clean close): the bdSeq only, no seq. */
export function nodeDeath(bdSeq: number, now: number): UPayload {
  return { timestamp: now, metrics: [{ name: BD_SEQ, type: 'Int64', value: bdSeq, timestamp: now }] };
}

/** DBIRTH: every metric of the device with its current value, units and quality. */
export function deviceBirth(defs: readonly MetricDef[], values: ReadonlyMap<string, TagValue>, seq: number, now: number): UPayload {
  return { timestamp: now, seq, metrics: defs.map((d) => tagMetric(d, values.get(d.tagId), now, true)) };
}

/** DDATA: the changed metrics only. */
export function deviceData(changed: readonly { def: MetricDef; value: TagValue }[], seq: number, now: number): UPayload {
  return { timestamp: now, seq, metrics: changed.map((c) => tagMetric(c.def, c.value, now, false)) };
}

/** Whether an NCMD payload asks for a rebirth ("Node Control/Rebirth" = true). */
export function isRebirthRequest(p: UPayload): boolean {
  return (p.metrics ?? []).some((m) => m.name === NODE_REBIRTH && m.value === true);
}

export function encodePayload(p: UPayload): Buffer {
  const bytes = spB.encodePayload(p);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function decodePayload(bytes: Uint8Array): UPayload {
  return spB.decodePayload(bytes);
}

/** Topic of a node-level message (NBIRTH, NDATA, NDEATH, NCMD). */
export function nodeTopic(groupId: string, type: 'NBIRTH' | 'NDATA' | 'NDEATH' | 'NCMD', edgeNodeId: string): string {
  return `spBv1.0/${groupId}/${type}/${edgeNodeId}`;
}

/** Topic of a device-level message (DBIRTH, DDATA, DDEATH). */
export function deviceTopic(groupId: string, type: 'DBIRTH' | 'DDATA' | 'DDEATH', edgeNodeId: string, deviceId: string): string {
  return `spBv1.0/${groupId}/${type}/${edgeNodeId}/${deviceId}`;
}

/** Whether two values would be published the same: same quality code, and same value unless both are bad (null). */
export function samePublished(a: TagValue | undefined, b: TagValue): boolean {
  if (a === undefined) return false;
  const code = qualityCode(b.quality);
  return qualityCode(a.quality) === code && (code === QUALITY_BAD || Object.is(a.value, b.value));
}
