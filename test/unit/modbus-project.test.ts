/** Project files with Modbus RTU devices, 64-bit and string tags: defaults and refusals. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseProjectText, ProjectFileError } from '../../main/config/project-loader';

const project = (devices: string, tags: string) => `version: 1
name: RTU line
devices:
${devices}
tags:
${tags}
`;

const twoUnits = `  - id: dryer
    protocol: modbus-rtu
    port: /dev/ttyUSB0
    unitId: 1
  - id: chiller
    protocol: modbus-rtu
    port: /dev/ttyUSB0
    unitId: 2
    wordOrder: CDAB`;

function issues(text: string): string[] {
  try {
    parseProjectText(text, 'line.yaml');
  } catch (err) {
    assert.ok(err instanceof ProjectFileError, String(err));
    return err.issues.map((i) => `${i.path}: ${i.message}`);
  }
  assert.fail('the project was accepted');
}

test('1. RTU devices get the documented defaults; 64-bit and string tags load', () => {
  const p = parseProjectText(
    project(
      twoUnits,
      `  - id: Batch
    device: dryer
    address: HR100
    dataType: string
    length: 8
  - id: Energy
    device: chiller
    address: IR0
    dataType: uint64`,
    ),
  );
  const d = p.devices[0];
  assert.equal(d.protocol, 'modbus-rtu');
  if (d.protocol !== 'modbus-rtu') return;
  assert.deepEqual(
    [d.baudRate, d.parity, d.dataBits, d.stopBits, d.unitId, d.timeoutMs, d.wordOrder, d.interFrameDelayMs],
    [19200, 'even', 8, 1, 1, 1000, 'ABCD', undefined],
  );
  assert.equal(p.tags[0].length, 8);
  assert.equal(p.tags[1].dataType, 'uint64');
});

test('2. devices on one port must agree on the line and use distinct unit ids', () => {
  const found = issues(
    project(
      `${twoUnits}
  - id: scale
    protocol: modbus-rtu
    port: /dev/ttyUSB0
    unitId: 2
    baudRate: 9600`,
      `  - id: T
    device: dryer
    address: HR0
    dataType: int16`,
    ),
  );
  assert.deepEqual(found, [
    'devices[2].baudRate: /dev/ttyUSB0 is shared with device "dryer", whose baudRate is 19200: one line, one setting',
    'devices[2].unitId: unit 2 on /dev/ttyUSB0 is already another device',
  ]);
});

test('3. string length: required for Modbus strings, only for strings, within one request', () => {
  const found = issues(
    project(
      twoUnits,
      `  - id: NoLength
    device: dryer
    address: HR0
    dataType: string
  - id: LengthOnNumber
    device: dryer
    address: HR10
    dataType: int64
    length: 4
  - id: PastTheEnd
    device: dryer
    address: HR65530
    dataType: string
    length: 8`,
    ),
  );
  assert.ok(found.includes('tags[0].length: a Modbus string needs its length in registers (2 characters each), e.g. length: 8'), found.join('\n'));
  assert.ok(found.includes('tags[1].length: length applies to Modbus strings only'), found.join('\n'));
  assert.ok(found.includes('tags[2].address: string at HR65530 runs past register 65535'), found.join('\n'));
  assert.equal(found.length, 3, found.join('\n'));
  const tooLong = issues(project(twoUnits, `  - id: TooLong
    device: dryer
    address: HR0
    dataType: string
    length: 124`));
  assert.deepEqual(tooLong, ['tags[0].length: Too big: expected number to be <=123'], 'a string must fit one request: FC16 writes at most 123 registers');
});

test('4. RTU settings outside what a serial line can do are refused with their place', () => {
  const found = issues(
    project(
      `  - id: bad
    protocol: modbus-rtu
    port: /dev/ttyS0
    unitId: 0
    parity: mark
    dataBits: 7`,
      `  - id: T
    device: bad
    address: HR0
    dataType: int16`,
    ),
  );
  assert.equal(found.length, 3, found.join('\n'));
  assert.ok(found.some((f) => f.startsWith('devices[0].unitId: ')));
  assert.ok(found.some((f) => f.startsWith('devices[0].parity: ')));
  assert.ok(found.some((f) => f.startsWith('devices[0].dataBits: ')));
});
