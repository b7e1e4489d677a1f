/**
 * Modbus tag addresses, as engineers write them in a project file.
 *
 *   HR10      holding register 10 (0-based protocol address), FC3 / writes FC6, FC16
 *   IR0       input register 0, FC4
 *   CO3       coil 3, FC1 / writes FC5, FC15
 *   DI7       discrete input 7, FC2
 *   HR20.3    bit 3 (0 = least significant) of holding register 20
 *   400011    classic 6-digit "4x" reference = HR10 (also 5-digit 40011); 3x = IR, 0x = CO, 1x = DI
 *
 * Classic references are 1-based (40001 is the first holding register, protocol address 0).
 */
export type ModbusArea = 'coil' | 'discrete' | 'holding' | 'input';

export interface ModbusAddress {
  area: ModbusArea;
  /** 0-based protocol address */
  offset: number;
  /** bit within a register (0..15), for bit-in-register tags */
  bit?: number;
}

const PREFIXES: Record<string, ModbusArea> = { HR: 'holding', IR: 'input', CO: 'coil', DI: 'discrete' };
const CLASSIC: Record<string, ModbusArea> = { '0': 'coil', '1': 'discrete', '3': 'input', '4': 'holding' };

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

export function parseModbusAddress(text: string): ParseResult<ModbusAddress> {
  const s = text.trim().toUpperCase();
  const named = /^(HR|IR|CO|DI)(\d{1,5})(?:\.(\d{1,2}))?$/.exec(s);
  if (named) {
    const area = PREFIXES[named[1]];
    const offset = Number(named[2]);
    if (offset > 65535) return { ok: false, error: `address ${offset} is beyond 65535` };
    return withBit(area, offset, named[3]);
  }
  const classic = /^([0134])(\d{4,5})(?:\.(\d{1,2}))?$/.exec(s);
  if (classic) {
    const area = CLASSIC[classic[1]];
    const ref = Number(classic[2]);
    if (ref < 1) return { ok: false, error: `classic reference ${text} is 1-based: ${classic[1]}${'0'.repeat(classic[2].length - 1)}1 is the first` };
    return withBit(area, ref - 1, classic[3]);
  }
  return {
    ok: false,
    error: `"${text}" is not a Modbus address (expected HR<n>, IR<n>, CO<n>, DI<n>, HR<n>.<bit> or a 4x/3x/0x/1x reference such as 400011)`,
  };
}

function withBit(area: ModbusArea, offset: number, bitText: string | undefined): ParseResult<ModbusAddress> {
  if (bitText === undefined) return { ok: true, value: { area, offset } };
  if (area === 'coil' || area === 'discrete') {
    return { ok: false, error: 'a bit index applies to registers (HR, IR), not to coils or discrete inputs' };
  }
  const bit = Number(bitText);
  if (bit > 15) return { ok: false, error: `bit ${bit} is beyond 15` };
  return { ok: true, value: { area, offset, bit } };
}

export function formatModbusAddress(a: ModbusAddress): string {
  const prefix = { holding: 'HR', input: 'IR', coil: 'CO', discrete: 'DI' }[a.area];
  return a.bit === undefined ? `${prefix}${a.offset}` : `${prefix}${a.offset}.${a.bit}`;
}

/** Number of 16-bit registers a data type occupies (strings: their declared length in registers). */
export function registerCount(dataType: string, stringRegisters = 0): number {
  switch (dataType) {
    case 'bool':
    case 'int16':
    case 'uint16':
      return 1;
    case 'int32':
    case 'uint32':
    case 'float32':
      return 2;
    case 'int64':
    case 'uint64':
    case 'float64':
      return 4;
    case 'string':
      return Math.max(1, stringRegisters);
    default:
      return 1;
  }
}

/**
 * Byte and word order of multi-register values. Letters name the bytes of the value from most to
 * least significant as they appear on the wire: ABCD = big-endian, high word first (Modbus
 * default); CDAB = low word first ("word swap"); BADC = bytes swapped within each word; DCBA =
 * fully little-endian. For 64-bit values the same two swaps apply to four words.
 */
export type WordOrder = 'ABCD' | 'CDAB' | 'BADC' | 'DCBA';
export const wordOrders: readonly WordOrder[] = ['ABCD', 'CDAB', 'BADC', 'DCBA'];
