/**
 * The simulator's Modbus register map: which address holds which model value, in which
 * encoding. Pure: the server adapter (modbus-server.ts) only moves words and exceptions
 * between this and the wire. docs/simulator.md documents the same map for people; the
 * demo project and the driver tests depend on it, so change both together or not at all.
 */
import type { LineModel, LineSnapshot } from './line-model';

export const ModbusExceptionCode = {
  IllegalFunction: 0x01,
  IllegalDataAddress: 0x02,
  IllegalDataValue: 0x03,
  ServerDeviceFailure: 0x04,
} as const;
export type ModbusExceptionCode = (typeof ModbusExceptionCode)[keyof typeof ModbusExceptionCode];

/**
 * modbus-serial's ServerTCP turns an error carrying `modbusErrorCode` into an exception
 * response with that code (any other error becomes 0x04, server device failure).
 */
export class ModbusException extends Error {
  constructor(
    readonly modbusErrorCode: ModbusExceptionCode,
    message: string,
  ) {
    super(message);
    this.name = 'ModbusException';
  }
}

export const SIMULATOR_UNIT_ID = 1;

type WordEncoder = (s: LineSnapshot) => number[];

interface RegisterField {
  name: string;
  address: number;
  encode: WordEncoder;
}

const u16 = (v: number): number => Math.min(0xffff, Math.max(0, Math.round(v)));
const i16 = (v: number): number => Math.min(0x7fff, Math.max(-0x8000, Math.round(v))) & 0xffff;

function u32Words(v: number): [number, number] {
  const n = Math.trunc(v) >>> 0;
  return [n >>> 16, n & 0xffff];
}
function i32Words(v: number): [number, number] {
  const n = Math.min(0x7fffffff, Math.max(-0x80000000, Math.round(v))) >>> 0;
  return [n >>> 16, n & 0xffff];
}
function f32Words(v: number): [number, number] {
  const b = Buffer.alloc(4);
  b.writeFloatBE(v, 0);
  return [b.readUInt16BE(0), b.readUInt16BE(2)];
}
/** "CDAB": the same big-endian words, low word first */
const swapWords = ([hi, lo]: [number, number]): number[] => [lo, hi];

const holdingRegisterFields: RegisterField[] = [
  { name: 'speed setpoint (uint16, packs/min)', address: 0, encode: (s) => [u16(s.speedSetpoint)] },
  { name: 'fault code (uint16)', address: 1, encode: (s) => [u16(s.faultCode)] },
  { name: 'good count (uint32 ABCD)', address: 2, encode: (s) => u32Words(s.goodCount) },
  { name: 'reject count (uint32 CDAB)', address: 4, encode: (s) => swapWords(u32Words(s.rejectCount)) },
  { name: 'motor current (float32 ABCD, A)', address: 10, encode: (s) => f32Words(s.motorCurrent) },
  {
    name: 'bearing temperature (float32 CDAB, °C)',
    address: 12,
    encode: (s) => swapWords(f32Words(s.bearingTemperature)),
  },
];

const inputRegisterFields: RegisterField[] = [
  { name: 'ambient temperature (int16 ×10, °C)', address: 0, encode: (s) => [i16(s.ambientTemperature * 10)] },
  { name: 'motor speed (uint16, rpm)', address: 1, encode: (s) => [u16(s.motorSpeedRpm)] },
  { name: 'web tension deviation (int32 ABCD, mN)', address: 2, encode: (s) => i32Words(s.webTensionDeviation) },
];

const coilBits: ((s: LineSnapshot) => boolean)[] = [
  (s) => s.runCommand,
  (s) => s.motorRunning,
  (s) => s.rejectGateActive,
];

const discreteInputBits: ((s: LineSnapshot) => boolean)[] = [(s) => s.eStopOk, (s) => s.guardDoorClosed];

/** The only writable holding register: the speed setpoint. */
const WRITABLE_HOLDING_REGISTER = 0;
/** The only writable coil: the run command. */
const WRITABLE_COIL = 0;

function registerImage(fields: RegisterField[], s: LineSnapshot): Map<number, number> {
  const image = new Map<number, number>();
  for (const field of fields) {
    field.encode(s).forEach((word, i) => image.set(field.address + i, word));
  }
  return image;
}

function checkRange(kind: string, address: number, length: number): void {
  if (!Number.isInteger(address) || !Number.isInteger(length) || address < 0 || length < 1 || address + length > 0x10000) {
    throw new ModbusException(ModbusExceptionCode.IllegalDataAddress, `${kind}: bad range ${address}+${length}`);
  }
}

function readWords(kind: string, fields: RegisterField[], s: LineSnapshot, address: number, length: number): number[] {
  checkRange(kind, address, length);
  const image = registerImage(fields, s);
  const words: number[] = [];
  for (let a = address; a < address + length; a++) {
    const word = image.get(a);
    if (word === undefined) {
      throw new ModbusException(ModbusExceptionCode.IllegalDataAddress, `${kind} ${a} is not mapped`);
    }
    words.push(word);
  }
  return words;
}

function readBits(
  kind: string,
  bits: ((s: LineSnapshot) => boolean)[],
  s: LineSnapshot,
  address: number,
  length: number,
): boolean[] {
  checkRange(kind, address, length);
  if (address + length > bits.length) {
    throw new ModbusException(ModbusExceptionCode.IllegalDataAddress, `${kind} ${bits.length} and above are not mapped`);
  }
  return bits.slice(address, address + length).map((bit) => bit(s));
}

export function readHoldingRegisters(s: LineSnapshot, address: number, length: number): number[] {
  return readWords('holding register', holdingRegisterFields, s, address, length);
}
export function readInputRegisters(s: LineSnapshot, address: number, length: number): number[] {
  return readWords('input register', inputRegisterFields, s, address, length);
}
export function readCoils(s: LineSnapshot, address: number, length: number): boolean[] {
  return readBits('coil', coilBits, s, address, length);
}
export function readDiscreteInputs(s: LineSnapshot, address: number, length: number): boolean[] {
  return readBits('discrete input', discreteInputBits, s, address, length);
}

/**
 * Writes are all-or-nothing: a block that touches any read-only or unmapped register is
 * refused whole with "illegal data address", as most PLCs do, rather than half applied.
 */
export function writeHoldingRegisters(model: LineModel, address: number, words: number[]): void {
  checkRange('holding register', address, words.length);
  if (address !== WRITABLE_HOLDING_REGISTER || words.length !== 1) {
    throw new ModbusException(
      ModbusExceptionCode.IllegalDataAddress,
      `holding registers ${address}..${address + words.length - 1}: only HR${WRITABLE_HOLDING_REGISTER} is writable`,
    );
  }
  // The setpoint clamps rather than refusing out-of-range values: an HMI slider overshooting
  // should still move the line.
  model.setSpeedSetpoint(words[0]);
}

export function writeCoils(model: LineModel, address: number, values: boolean[]): void {
  checkRange('coil', address, values.length);
  if (address !== WRITABLE_COIL || values.length !== 1) {
    throw new ModbusException(
      ModbusExceptionCode.IllegalDataAddress,
      `coils ${address}..${address + values.length - 1}: only CO${WRITABLE_COIL} is writable`,
    );
  }
  model.setRunCommand(values[0]);
}
