/**
 * ModbusReadPlanner: merges the tags of one device and scan rate into the fewest requests the
 * protocol allows. Tags are grouped by area (each area is its own function code), sorted by
 * address and merged while the gap between them stays within `maxGap` and the block within the
 * protocol's limit (125 registers / 2000 bits per read) and the device's own maximum.
 */
import { parseModbusAddress, registerCount, type ModbusAddress, type ModbusArea, type WordOrder } from '../../../shared/modbus-address';
import type { DriverTag } from '../driver';

export const PROTOCOL_MAX_REGISTERS = 125;
export const PROTOCOL_MAX_BITS = 2000;

export interface PlannedTag {
  tag: DriverTag;
  address: ModbusAddress;
  /** registers (or bits) the tag spans */
  length: number;
  wordOrder: WordOrder;
}

export interface ReadBlock {
  area: ModbusArea;
  start: number;
  length: number;
  tags: PlannedTag[];
}

export interface PlannerLimits {
  maxRegisters?: number;
  maxBits?: number;
  /** unused registers (or bits) worth reading to save a request */
  maxGapRegisters?: number;
  maxGapBits?: number;
}

export interface PlanResult {
  blocks: ReadBlock[];
  /** tags whose address cannot be read at all: reported as config errors */
  invalid: { tag: DriverTag; error: string }[];
}

export function planReads(tags: readonly DriverTag[], defaultOrder: WordOrder, limits: PlannerLimits = {}): PlanResult {
  const maxRegs = Math.min(limits.maxRegisters ?? PROTOCOL_MAX_REGISTERS, PROTOCOL_MAX_REGISTERS);
  const maxBits = Math.min(limits.maxBits ?? PROTOCOL_MAX_BITS, PROTOCOL_MAX_BITS);
  const gapRegs = limits.maxGapRegisters ?? 16;
  const gapBits = limits.maxGapBits ?? 128;

  const invalid: PlanResult['invalid'] = [];
  const byArea = new Map<ModbusArea, PlannedTag[]>();
  for (const tag of tags) {
    const parsed = parseModbusAddress(tag.address);
    if (!parsed.ok) {
      invalid.push({ tag, error: parsed.error });
      continue;
    }
    const a = parsed.value;
    const bitArea = a.area === 'coil' || a.area === 'discrete';
    if (tag.dataType === 'string' && !bitArea && (tag.length === undefined || tag.length < 1 || tag.length > maxRegs)) {
      invalid.push({ tag, error: `a string needs its length in registers (1..${maxRegs})` });
      continue;
    }
    const length = bitArea || a.bit !== undefined ? 1 : registerCount(tag.dataType, tag.length);
    const list = byArea.get(a.area) ?? [];
    list.push({ tag, address: a, length, wordOrder: tag.wordOrder ?? defaultOrder });
    byArea.set(a.area, list);
  }

  const blocks: ReadBlock[] = [];
  for (const [area, list] of byArea) {
    const bitArea = area === 'coil' || area === 'discrete';
    const max = bitArea ? maxBits : maxRegs;
    const gap = bitArea ? gapBits : gapRegs;
    list.sort((x, y) => x.address.offset - y.address.offset);
    let current: ReadBlock | null = null;
    for (const p of list) {
      const end = p.address.offset + p.length; // exclusive
      if (current) {
        const curEnd = current.start + current.length;
        const newLength = Math.max(curEnd, end) - current.start;
        if (p.address.offset - curEnd <= gap && newLength <= max) {
          current.length = newLength;
          current.tags.push(p);
          continue;
        }
      }
      current = { area, start: p.address.offset, length: p.length, tags: [p] };
      blocks.push(current);
    }
  }
  return { blocks, invalid };
}
