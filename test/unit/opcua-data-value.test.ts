/**
 * DataValue → reading: the StatusCode is the quality, the SourceTimestamp the time, and a value
 * that does not fit the tag's type is a configuration error, never a converted number.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DataType, DataValue, StatusCodes, Variant } from 'node-opcua';
import { coerce, severityOf, toReading } from '../../main/drivers/opcua/data-value-reading';
import type { DriverTag } from '../../main/drivers/driver';

const speed: DriverTag = { tagId: 'speed', address: 'ns=1;s=Line1.LineSpeed', dataType: 'float64' };
const src = new Date(1_700_000_000_000);

function dv(value: Variant | null, statusCode = StatusCodes.Good, sourceTimestamp: Date | null = src): DataValue {
  return new DataValue({ value: value ?? new Variant({ dataType: DataType.Null }), statusCode, sourceTimestamp, serverTimestamp: new Date(1_700_000_000_500) });
}

test('1. good value: the server SourceTimestamp, not when it arrived', () => {
  const r = toReading(speed, dv(new Variant({ dataType: DataType.Double, value: 118.5 })), 1_700_000_009_999);
  assert.deepEqual(r, { tagId: 'speed', value: 118.5, quality: { level: 'good', reason: 'ok' }, sourceTs: 1_700_000_000_000 });
});

test('2. no SourceTimestamp: the ServerTimestamp; neither: when it arrived', () => {
  assert.equal(toReading(speed, dv(new Variant({ dataType: DataType.Double, value: 1 }), StatusCodes.Good, null), 42).sourceTs, 1_700_000_000_500);
  const bare = new DataValue({ value: new Variant({ dataType: DataType.Double, value: 1 }) });
  assert.equal(toReading(speed, bare, 42).sourceTs, 42);
});

test('3. uncertain status keeps the value, as uncertain', () => {
  const r = toReading(speed, dv(new Variant({ dataType: DataType.Double, value: 3 }), StatusCodes.UncertainLastUsableValue), 0);
  assert.deepEqual(r.quality, { level: 'uncertain', reason: 'device_error' });
  assert.equal(r.value, 3);
});

test('4. bad status: no value; an unknown node or access denied is a config error, the rest a device error', () => {
  assert.deepEqual(toReading(speed, dv(null, StatusCodes.BadNodeIdUnknown), 0).quality, { level: 'bad', reason: 'config_error' });
  assert.deepEqual(toReading(speed, dv(null, StatusCodes.BadUserAccessDenied), 0).quality, { level: 'bad', reason: 'config_error' });
  const r = toReading(speed, dv(new Variant({ dataType: DataType.Double, value: 5 }), StatusCodes.BadSensorFailure), 0);
  assert.deepEqual(r.quality, { level: 'bad', reason: 'device_error' });
  assert.equal(r.value, null, 'a bad value is never passed on');
});

test('5. no DataValue at all: comm failure', () => {
  assert.deepEqual(toReading(speed, null, 7), { tagId: 'speed', value: null, quality: { level: 'bad', reason: 'comm_failure' }, sourceTs: 7 });
});

test('6. a value of the wrong type is a config error', () => {
  const asBool: DriverTag = { ...speed, dataType: 'bool' };
  assert.deepEqual(toReading(asBool, dv(new Variant({ dataType: DataType.Double, value: 1 })), 0).quality, { level: 'bad', reason: 'config_error' });
  const asNumber: DriverTag = { ...speed, dataType: 'int32' };
  assert.deepEqual(toReading(asNumber, dv(new Variant({ dataType: DataType.String, value: '12' })), 0).quality, { level: 'bad', reason: 'config_error' });
  assert.equal(coerce([1, 2], DataType.Double, 'float64'), undefined, 'arrays are not scalars');
});

test('7. strings: plain and localized text', () => {
  assert.equal(coerce('PK-330', DataType.String, 'string'), 'PK-330');
  assert.equal(coerce({ text: 'Läuft', locale: 'de' }, DataType.LocalizedText, 'string'), 'Läuft');
});

test('8. 64-bit integers from [high, low] words, exact up to 2^53 - 1', () => {
  assert.equal(coerce([0, 5], DataType.Int64, 'int64'), 5);
  assert.equal(coerce([0xffffffff, 0xfffffffe], DataType.Int64, 'int64'), -2);
  assert.equal(coerce([0x1fffff, 0xffffffff], DataType.UInt64, 'uint64'), Number.MAX_SAFE_INTEGER);
  assert.equal(coerce([0x200000, 0], DataType.UInt64, 'uint64'), undefined, 'beyond 2^53: not exactly representable');
  assert.equal(coerce([0xffffffff, 0xffffffff], DataType.UInt64, 'uint64'), undefined);
  assert.equal(coerce(7, DataType.Int64, 'int64'), 7);
  assert.equal(coerce(7.5, DataType.Double, 'int64'), undefined);
});

test('9. severity from the top two bits of the StatusCode', () => {
  assert.equal(severityOf(StatusCodes.Good), 'good');
  assert.equal(severityOf(StatusCodes.UncertainInitialValue), 'uncertain');
  assert.equal(severityOf(StatusCodes.BadCommunicationError), 'bad');
});
