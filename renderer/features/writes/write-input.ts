/**
 * Turning what an operator typed into a value to write, with the tag's own checks shown before
 * anything is sent (the runtime checks again: this is for a quick, clear answer on screen).
 */
import type { TagInfo, TagScalar } from '../../../shared/types';

export type ParsedInput = { ok: true; value: TagScalar } | { ok: false; error: string };

export function parseWriteInput(tag: TagInfo, text: string): ParsedInput {
  if (tag.dataType === 'bool') {
    const t = text.trim().toLowerCase();
    if (t === 'on' || t === 'true' || t === '1') return { ok: true, value: true };
    if (t === 'off' || t === 'false' || t === '0') return { ok: true, value: false };
    return { ok: false, error: 'choose ON or OFF' };
  }
  if (tag.dataType === 'string') return { ok: true, value: text };
  const normalised = text.trim().replace(',', '.');
  if (normalised === '' || !/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(normalised)) return { ok: false, error: 'enter a number' };
  const value = Number(normalised);
  if (!Number.isFinite(value)) return { ok: false, error: 'enter a number' };
  if (tag.dataType !== 'float32' && tag.dataType !== 'float64' && !Number.isInteger(value) && tag.decimals === 0) {
    return { ok: false, error: 'enter a whole number' };
  }
  if (tag.min !== undefined && value < tag.min) return { ok: false, error: `the minimum is ${tag.min}` };
  if (tag.max !== undefined && value > tag.max) return { ok: false, error: `the maximum is ${tag.max}` };
  return { ok: true, value };
}

export function limitsText(tag: TagInfo): string {
  const u = tag.units ? ` ${tag.units}` : '';
  if (tag.min !== undefined && tag.max !== undefined) return `${tag.min} – ${tag.max}${u}`;
  if (tag.min !== undefined) return `at least ${tag.min}${u}`;
  if (tag.max !== undefined) return `at most ${tag.max}${u}`;
  return 'no limits configured';
}
