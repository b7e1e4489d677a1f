/**
 * DataValue → DriverReading: the server's StatusCode becomes the quality, its SourceTimestamp
 * the reading's time, and the value is checked against the tag's declared type (a mismatch is a
 * configuration error, never a silently converted number).
 */
import { DataType, StatusCodes, type DataValue, type StatusCode } from 'node-opcua';
import type { Quality } from '../../../shared/quality';
import type { TagDataType, TagScalar } from '../../../shared/types';
import type { DriverReading, DriverTag } from '../driver';

export const BAD_COMM: Quality = Object.freeze({ level: 'bad', reason: 'comm_failure' }) as Quality;
export const BAD_WAITING: Quality = Object.freeze({ level: 'bad', reason: 'waiting' }) as Quality;
export const UNCERTAIN_STALE: Quality = Object.freeze({ level: 'uncertain', reason: 'stale' }) as Quality;

/** The OPC UA type a tag's value is written as. */
export const OPCUA_TYPES: Record<TagDataType, DataType> = {
  bool: DataType.Boolean,
  int16: DataType.Int16,
  uint16: DataType.UInt16,
  int32: DataType.Int32,
  uint32: DataType.UInt32,
  int64: DataType.Int64,
  uint64: DataType.UInt64,
  float32: DataType.Float,
  float64: DataType.Double,
  string: DataType.String,
};

/** The project data type that reads a node of this OPC UA built-in type, if any. */
export const TAG_TYPE_FOR: Partial<Record<DataType, TagDataType>> = {
  [DataType.Boolean]: 'bool',
  [DataType.SByte]: 'int16',
  [DataType.Byte]: 'uint16',
  [DataType.Int16]: 'int16',
  [DataType.UInt16]: 'uint16',
  [DataType.Int32]: 'int32',
  [DataType.UInt32]: 'uint32',
  [DataType.Int64]: 'int64',
  [DataType.UInt64]: 'uint64',
  [DataType.Float]: 'float32',
  [DataType.Double]: 'float64',
  [DataType.String]: 'string',
  [DataType.LocalizedText]: 'string',
};

const CONFIG_STATUSES = [
  StatusCodes.BadNodeIdUnknown,
  StatusCodes.BadNodeIdInvalid,
  StatusCodes.BadAttributeIdInvalid,
  StatusCodes.BadNotReadable,
  StatusCodes.BadUserAccessDenied,
  StatusCodes.BadIndexRangeInvalid,
];

/** The tag's address (or the user's rights) is wrong, not the device or the link. */
export function isConfigStatus(sc: StatusCode): boolean {
  return CONFIG_STATUSES.some((c) => sc.equals(c));
}

/** StatusCode severity is in the top two bits: 00 Good, 01 Uncertain, 10/11 Bad. */
export function severityOf(sc: StatusCode): 'good' | 'uncertain' | 'bad' {
  const severity = (sc.value >>> 30) & 0b11;
  return severity === 0 ? 'good' : severity === 1 ? 'uncertain' : 'bad';
}

export function toReading(tag: DriverTag, dv: DataValue | undefined | null, received: number): DriverReading {
  if (!dv) return { tagId: tag.tagId, value: null, quality: BAD_COMM, sourceTs: received };
  const sourceTs = dv.sourceTimestamp?.getTime() ?? dv.serverTimestamp?.getTime() ?? received;
  const sc = dv.statusCode;
  const severity = severityOf(sc);
  if (severity === 'bad') {
    return { tagId: tag.tagId, value: null, quality: { level: 'bad', reason: isConfigStatus(sc) ? 'config_error' : 'device_error' }, sourceTs };
  }
  const value = coerce(dv.value.value, dv.value.dataType, tag.dataType);
  if (value === undefined) return { tagId: tag.tagId, value: null, quality: { level: 'bad', reason: 'config_error' }, sourceTs };
  const quality: Quality = severity === 'uncertain' ? { level: 'uncertain', reason: 'device_error' } : { level: 'good', reason: 'ok' };
  return { tagId: tag.tagId, value, quality, sourceTs };
}

/** The server's value as the tag's declared type; undefined when it does not fit (config error). */
export function coerce(raw: unknown, type: DataType, want: TagDataType): TagScalar | undefined {
  if (raw === null || raw === undefined) return undefined;
  switch (want) {
    case 'bool':
      return typeof raw === 'boolean' ? raw : undefined;
    case 'string':
      if (typeof raw === 'string') return raw;
      if (type === DataType.LocalizedText && typeof raw === 'object' && 'text' in raw) return String((raw as { text: unknown }).text ?? '');
      return undefined;
    case 'int64':
    case 'uint64':
      if (typeof raw === 'number') return Number.isInteger(raw) ? raw : undefined;
      if (type === DataType.Int64 || type === DataType.UInt64) return exact64(raw, type === DataType.Int64);
      return undefined;
    default:
      // Arrays, structures and 64-bit pairs are not numbers a numeric tag can hold.
      return typeof raw === 'number' ? raw : undefined;
  }
}

/** node-opcua gives 64-bit integers as [high, low] 32-bit words; exact up to ±(2^53 − 1) only. */
function exact64(raw: unknown, signed: boolean): number | undefined {
  if (!Array.isArray(raw) || raw.length !== 2 || !raw.every((w) => typeof w === 'number')) return undefined;
  const [high, low] = raw as [number, number];
  const unsigned = (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0);
  const v = signed ? BigInt.asIntN(64, unsigned) : unsigned;
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return Number(v);
}
