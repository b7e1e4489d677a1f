/**
 * Trend pens (renderer/features/trends/trend-pens.ts): a palette clear of the alarm and bad-data
 * colours, a free colour for a new pen, dashes for pens 5–8, one y axis per unit (on/off signals
 * sharing one) with the engineering range only where every pen has one, and value text.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { axisGroups, axisRange, formatPenValue, nextPenColor, PEN_COLORS, penStyle, scaleKeyOf } from '../../renderer/features/trends/trend-pens';
import type { TagInfo } from '../../shared/types';
import { repoRoot } from '../helpers/temp';

function tag(over: Partial<TagInfo> & Pick<TagInfo, 'id'>): TagInfo {
  return {
    name: over.id,
    description: '',
    deviceId: 'plc1',
    dataType: 'float64',
    units: '',
    scanMs: 1000,
    decimals: 1,
    writable: false,
    address: 'HR0',
    ...over,
  };
}

function rgb(hex: string): [number, number, number] {
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
}

test('1. the palette: eight distinct dark colours, each far from the alarm priorities\' and bad data\'s', () => {
  const css = readFileSync(join(repoRoot(), 'renderer', 'ui', 'theme.css'), 'utf8');
  const reserved = [...css.matchAll(/--(alarm-[1-4]|bad|bad-dark):\s*(#[0-9a-fA-F]{6})/g)].map((m) => m[2]);
  assert.equal(new Set(reserved).size, 6, `alarm 1–4, bad, bad-dark in theme.css: ${reserved.join(' ')}`);
  assert.equal(PEN_COLORS.length, 8);
  assert.equal(new Set(PEN_COLORS.map((c) => c.toLowerCase())).size, 8);
  for (const c of PEN_COLORS) {
    assert.match(c, /^#[0-9a-fA-F]{6}$/, 'what a saved view accepts');
    assert.ok(Math.max(...rgb(c)) <= 0x90, `${c} is dark enough for a line on the grey background`);
    for (const r of reserved) {
      const [a, b] = [rgb(c), rgb(r)];
      const dist = Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
      assert.ok(dist > 64, `${c} is too close to the reserved ${r} (${dist.toFixed(0)})`);
    }
  }
});

test('2. pen styles: pens 1–4 solid, 5–8 the same hues dashed; a chosen colour keeps the dash', () => {
  for (let i = 0; i < 4; i++) assert.deepEqual(penStyle(i), { color: PEN_COLORS[i], dash: undefined }, `pen ${i + 1}`);
  for (let i = 4; i < 8; i++) {
    const s = penStyle(i);
    assert.equal(s.color, PEN_COLORS[i]);
    assert.ok(Array.isArray(s.dash) && s.dash.length >= 2 && s.dash.every((d) => d > 0), `pen ${i + 1} dashed`);
  }
  assert.equal(penStyle(8).color, PEN_COLORS[0], 'the palette repeats');
  assert.equal(penStyle(8).dash, undefined);
  assert.deepEqual(penStyle(5, '#123456'), { color: '#123456', dash: penStyle(5).dash });
  assert.equal(penStyle(1, '#123456').dash, undefined);
  // no two of the first eight pens look alike, even in grey: colour or dash differs
  const looks = new Set(Array.from({ length: 8 }, (_, i) => `${penStyle(i).color}/${penStyle(i).dash !== undefined}`));
  assert.equal(looks.size, 8);
});

test('3. next pen colour: the first palette colour no pen uses, counting chosen colours', () => {
  assert.equal(nextPenColor([]), PEN_COLORS[0]);
  assert.equal(nextPenColor([{ tagId: 'a' }, { tagId: 'b' }]), PEN_COLORS[2]);
  // pen 2 chose the first colour: pen 1 has it by default too, so the second is free
  assert.equal(nextPenColor([{ tagId: 'a' }, { tagId: 'b', color: PEN_COLORS[0] }]), PEN_COLORS[1]);
  // a pen with its own colour frees its palette colour
  assert.equal(nextPenColor([{ tagId: 'a', color: '#123456' }]), PEN_COLORS[0]);
  assert.equal(nextPenColor([{ tagId: 'a' }, { tagId: 'b', color: PEN_COLORS[3] }, { tagId: 'c' }]), PEN_COLORS[1]);
  // all used: the palette colour of the new pen's place
  const eight = PEN_COLORS.map((_, i) => ({ tagId: `t${i}` }));
  assert.equal(nextPenColor(eight), PEN_COLORS[0]);
  assert.equal(nextPenColor([...eight, { tagId: 't8' }, { tagId: 't9', color: '#000001' }]), PEN_COLORS[2]);
});

test('4. scale keys: one per unit; every on/off signal on one, whatever its units', () => {
  assert.equal(scaleKeyOf({ dataType: 'float32', units: '°C' }), 'u:°C');
  assert.equal(scaleKeyOf({ dataType: 'int16', units: '°C' }), 'u:°C');
  assert.equal(scaleKeyOf({ dataType: 'bool', units: '°C' }), 'bool');
  assert.equal(scaleKeyOf({ dataType: 'bool', units: '' }), 'bool');
  assert.notEqual(scaleKeyOf({ dataType: 'float64', units: 'bar' }), scaleKeyOf({ dataType: 'float64', units: 'mbar' }));
});

test('5. axis groups: one axis per unit in order of first use, booleans share one', () => {
  const tags = [
    tag({ id: 'T1', units: '°C' }),
    tag({ id: 'Speed', units: 'rpm', dataType: 'int32' }),
    tag({ id: 'Run', dataType: 'bool', units: '' }),
    tag({ id: 'T2', units: '°C', dataType: 'int16' }),
    tag({ id: 'Fault', dataType: 'bool', units: 'state' }),
    tag({ id: 'Count', dataType: 'uint32' }),
  ];
  const groups = axisGroups(tags);
  assert.deepEqual(
    groups.map((g) => ({ key: g.key, units: g.units, bool: g.bool, discrete: g.discrete, pens: g.pens })),
    [
      { key: 'u:°C', units: '°C', bool: false, discrete: false, pens: [0, 3] },
      { key: 'u:rpm', units: 'rpm', bool: false, discrete: true, pens: [1] },
      { key: 'bool', units: 'on/off', bool: true, discrete: true, pens: [2, 4] },
      { key: 'u:', units: '', bool: false, discrete: true, pens: [5] },
    ],
  );
  assert.deepEqual(axisGroups([]), []);
  // discrete only while every pen on the axis steps
  assert.equal(axisGroups([tag({ id: 'a', dataType: 'int16' }), tag({ id: 'b', dataType: 'uint16' })])[0].discrete, true);
  assert.equal(axisGroups([tag({ id: 'a', dataType: 'int16' }), tag({ id: 'b', dataType: 'float32' })])[0].discrete, false);
});

test('6. axis groups: the engineering range is the union of the pens\' ranges, only where every pen has one', () => {
  const both = axisGroups([
    tag({ id: 'a', units: 'bar', min: 0, max: 10 }),
    tag({ id: 'b', units: 'bar', min: -2, max: 6 }),
    tag({ id: 'c', units: 'bar', min: 1, max: 16 }),
  ]);
  assert.equal(both.length, 1);
  assert.equal(both[0].min, -2);
  assert.equal(both[0].max, 16);

  const oneMissing = axisGroups([tag({ id: 'a', units: 'bar', min: 0, max: 10 }), tag({ id: 'b', units: 'bar' })])[0];
  assert.equal(oneMissing.min, undefined);
  assert.equal(oneMissing.max, undefined);

  const firstMissing = axisGroups([tag({ id: 'a', units: 'bar' }), tag({ id: 'b', units: 'bar', min: 0, max: 10 }), tag({ id: 'c', units: 'bar', min: 0, max: 5 })])[0];
  assert.equal(firstMissing.min, undefined, 'a later pen does not bring a range back');
  assert.equal(firstMissing.max, undefined);

  // each bound on its own: every pen has a max, one has no min
  const half = axisGroups([tag({ id: 'a', units: 'bar', min: 0, max: 10 }), tag({ id: 'b', units: 'bar', max: 12 })])[0];
  assert.equal(half.min, undefined);
  assert.equal(half.max, 12);

  // another unit's range does not leak across
  const two = axisGroups([tag({ id: 'a', units: 'bar', min: 0, max: 10 }), tag({ id: 'b', units: '°C', min: -40, max: 200 })]);
  assert.deepEqual(two.map((g) => [g.min, g.max]), [[0, 10], [-40, 200]]);

  // a zero bound is a bound
  const zero = axisGroups([tag({ id: 'a', units: 'A', min: 0, max: 0 }), tag({ id: 'b', units: 'A', min: 0, max: 5 })])[0];
  assert.deepEqual([zero.min, zero.max], [0, 5]);
});

test('7. axis range: the engineering range where every pen has one, else the data padded; on/off fixed', () => {
  const [ranged] = axisGroups([tag({ id: 'a', units: 'bar', min: 0, max: 10 }), tag({ id: 'b', units: 'bar', min: 2, max: 16 })]);
  assert.deepEqual(axisRange(ranged, 3, 4), [0, 16], 'data inside: the range');

  const [free] = axisGroups([tag({ id: 'a', units: 'bar', min: 0, max: 10 }), tag({ id: 'b', units: 'bar' })]);
  assert.deepEqual(axisRange(free, 100, 200), [95, 205], 'no range for every pen: the data, 5 % padded');

  const [onOff] = axisGroups([tag({ id: 'r', dataType: 'bool' })]);
  assert.deepEqual(axisRange(onOff, 0, 1), [-0.1, 1.1]);
  assert.deepEqual(axisRange(onOff, null, null), [-0.1, 1.1]);

  const flat = axisRange(free, 50, 50);
  assert.ok(flat[0] < 50 && flat[1] > 50, 'a flat line is not drawn on the edge');
  const none = axisRange(free, null, null);
  assert.ok(Number.isFinite(none[0]) && Number.isFinite(none[1]) && none[1] > none[0], 'no data: still a usable axis');
});

test('8. pen values: ON/OFF for booleans, whole numbers for integers, the tag\'s decimals (0–6) for floats', () => {
  assert.equal(formatPenValue({ dataType: 'bool', decimals: 2 }, 1), 'ON');
  assert.equal(formatPenValue({ dataType: 'bool', decimals: 2 }, 0), 'OFF');
  assert.equal(formatPenValue({ dataType: 'bool', decimals: 2 }, 0.5), 'ON', 'a min/max average at the threshold');
  assert.equal(formatPenValue({ dataType: 'bool', decimals: 2 }, 0.49), 'OFF');
  assert.equal(formatPenValue({ dataType: 'int32', decimals: 3 }, 12.6), '13');
  assert.equal(formatPenValue({ dataType: 'uint16', decimals: 0 }, 7), '7');
  assert.equal(formatPenValue({ dataType: 'float32', decimals: 2 }, 3.14159), '3.14');
  assert.equal(formatPenValue({ dataType: 'float64', decimals: 0 }, 2.5), '3');
  assert.equal(formatPenValue({ dataType: 'float64', decimals: 12 }, 1 / 3), '0.333333', 'at most 6');
  assert.equal(formatPenValue({ dataType: 'float64', decimals: -1 }, 1.5), '2', 'at least 0');
});
