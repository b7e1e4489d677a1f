import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { TagInfo } from '../../../shared/types';
import { CHART_STYLE } from './chart-style';
import { axisGroups, axisRange, penStyle, scaleKeyOf, type PenStyle } from './trend-pens';
import { axisLabel, MIN_SPAN_MS } from './trend-range';
import type { TrendSource } from './trend-source';
import { isolatedValueIndices } from './trend-columns';
import { isDiscrete } from './trend-values';

const INTEGER_INCREMENTS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 1e6, 1e7, 1e8, 1e9];
const AXIS_SIZE = 76;
/** a tap moves less than this (px); more is a pan or a box */
const TAP_SLOP = 8;

export interface PenLimit {
  pen: number;
  value: number;
  label: string;
}

export interface ChartInteraction {
  /** the user chose a new range (box, wheel, pinch, pan, keys) */
  onRange(from: number, to: number): void;
  /** the cursor moved to time t (ms), or left the chart */
  onCursor(t: number | null): void;
  /** a tap or click on the chart at time t (ms): pins the cursor there */
  onPick(t: number): void;
}

interface MultiPenChartProps {
  tags: readonly TagInfo[];
  colors: readonly (string | undefined)[];
  source: TrendSource;
  /** live: the chart scrolls with the clock and draws held values up to now */
  live: boolean;
  spanMs: number;
  /** the visible range in history mode */
  from: number;
  to: number;
  tool: 'box' | 'pan';
  limits: readonly PenLimit[];
  cursors: { a: number | null; b: number | null; pinned: number | null };
  /** the pen picked in the table: its band alone is drawn, stronger */
  highlighted: string | null;
  interaction: ChartInteraction;
}

export interface TrendDrawnDetail {
  from: number;
  to: number;
  loading: boolean;
  points: number;
  last: Record<string, { t: number; v: number | null }>;
  /** per pen, the stretches drawn as gaps (not-good data) within the visible range: runs of nulls, as uPlot clips them */
  gaps: Record<string, number>;
}

/** Saves the context and clips it to the plot area (restore after drawing). */
function clipToPlot(u: uPlot): void {
  const { left, top, width, height } = u.bbox;
  u.ctx.save();
  u.ctx.beginPath();
  u.ctx.rect(left, top, width, height);
  u.ctx.clip();
}

function withAlpha(hex: string, alpha: number): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

/**
 * The multi-pen uPlot chart. Created again when pens, tool or limits change; data updates only
 * call setData (at most once per animation frame), so live frames cost one redraw each.
 */
export function MultiPenChart(props: MultiPenChartProps) {
  const { tags, colors, source, tool, limits } = props;
  const containerRef = useRef<HTMLDivElement>(null);
  const propsRef = useRef(props);
  propsRef.current = props;
  /** the range a gesture shows while it runs (pan, pinch), before it is committed */
  const previewRef = useRef<{ from: number; to: number } | null>(null);
  const chartRef = useRef<uPlot | null>(null);

  const visible = (): { from: number; to: number } => {
    const p = propsRef.current;
    if (previewRef.current !== null) return previewRef.current;
    if (p.live) {
      const now = Date.now();
      return { from: now - p.spanMs, to: now };
    }
    return { from: p.from, to: p.to };
  };

  useEffect(() => {
    const container = containerRef.current;
    if (container === null || tags.length === 0) return;
    const styles: PenStyle[] = tags.map((_, i) => penStyle(i, colors[i]));
    const groups = axisGroups(tags);
    let frame = 0;
    let lastPoints = 0;

    const axes: uPlot.Axis[] = [
      {
        stroke: CHART_STYLE.axis,
        font: CHART_STYLE.font,
        grid: { stroke: CHART_STYLE.grid, width: 1 },
        ticks: { stroke: CHART_STYLE.ticks, width: 1 },
        values: (u, splits) => {
          const span = ((u.scales.x.max ?? 0) - (u.scales.x.min ?? 0)) * 1000;
          return splits.map((s) => axisLabel(s, span));
        },
        space: 110,
        size: 44,
      },
      ...groups.map((g, gi): uPlot.Axis => {
        const single = g.pens.length === 1 ? styles[g.pens[0]].color : null;
        return {
          scale: g.key,
          side: gi % 2 === 0 ? 3 : 1,
          label: g.units === '' ? '(no unit)' : g.units,
          labelFont: CHART_STYLE.labelFont,
          labelSize: 26,
          stroke: single ?? CHART_STYLE.axis,
          font: CHART_STYLE.font,
          grid: { show: gi === 0, stroke: CHART_STYLE.grid, width: 1 },
          ticks: { stroke: CHART_STYLE.ticks, width: 1 },
          size: AXIS_SIZE,
          values: g.bool ? (_u, splits) => splits.map((s) => (s === 1 ? 'ON' : s === 0 ? 'OFF' : '')) : undefined,
          splits: g.bool ? () => [0, 1] : undefined,
          incrs: g.discrete ? INTEGER_INCREMENTS : undefined,
        };
      }),
    ];

    const scales: uPlot.Scales = {
      x: { time: true, range: () => { const r = visible(); return [r.from / 1000, r.to / 1000]; } },
    };
    for (const g of groups) scales[g.key] = { range: (_u, dataMin, dataMax) => axisRange(g, dataMin ?? null, dataMax ?? null) };

    const drawBands = (u: uPlot) => {
      const ctx = u.ctx;
      const { left, top, width, height } = u.bbox;
      clipToPlot(u);
      tags.forEach((tag, pen) => {
        if (tag.normalLow === undefined && tag.normalHigh === undefined) return;
        const key = scaleKeyOf(tag);
        const y1 = tag.normalHigh === undefined ? top : u.valToPos(tag.normalHigh, key, true);
        const y2 = tag.normalLow === undefined ? top + height : u.valToPos(tag.normalLow, key, true);
        const hl = propsRef.current.highlighted;
        if (hl !== null && hl !== tag.id) return;
        ctx.fillStyle = withAlpha(styles[pen].color, hl === tag.id ? 0.16 : 0.07);
        ctx.fillRect(left, Math.min(y1, y2), width, Math.abs(y2 - y1));
      });
      ctx.restore();
    };

    const drawOverlays = (u: uPlot) => {
      const ctx = u.ctx;
      const { left, top, width, height } = u.bbox;
      const dpr = uPlot.pxRatio;
      clipToPlot(u);
      ctx.font = `${Math.round(14 * dpr)}px system-ui, sans-serif`;
      for (const lim of propsRef.current.limits) {
        const tag = tags[lim.pen];
        if (tag === undefined) continue;
        const y = u.valToPos(lim.value, scaleKeyOf(tag), true);
        if (y < top || y > top + height) continue;
        ctx.strokeStyle = styles[lim.pen].color;
        ctx.lineWidth = 1.5 * dpr;
        ctx.setLineDash([4 * dpr, 4 * dpr]);
        ctx.beginPath();
        ctx.moveTo(left, y);
        ctx.lineTo(left + width, y);
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.fillStyle = styles[lim.pen].color;
        ctx.textAlign = 'right';
        ctx.textBaseline = 'bottom';
        ctx.fillText(lim.label, left + width - 4 * dpr, y - 2 * dpr);
      }
      const { a, b, pinned } = propsRef.current.cursors;
      const marks: [number | null, string, number[]][] = [
        [pinned, '', [2 * dpr, 3 * dpr]],
        [a, 'A', []],
        [b, 'B', []],
      ];
      for (const [t, label, dash] of marks) {
        if (t === null) continue;
        const x = u.valToPos(t / 1000, 'x', true);
        if (x < left || x > left + width) continue;
        ctx.strokeStyle = '#3a3a3a';
        ctx.lineWidth = 2 * dpr;
        ctx.setLineDash(dash);
        ctx.beginPath();
        ctx.moveTo(x, top);
        ctx.lineTo(x, top + height);
        ctx.stroke();
        ctx.setLineDash([]);
        if (label !== '') {
          ctx.fillStyle = '#3a3a3a';
          ctx.fillRect(x - 12 * dpr, top, 24 * dpr, 22 * dpr);
          ctx.fillStyle = '#ffffff';
          ctx.textAlign = 'center';
          ctx.textBaseline = 'middle';
          ctx.font = `600 ${Math.round(15 * dpr)}px system-ui, sans-serif`;
          ctx.fillText(label, x, top + 11 * dpr);
        }
      }
      ctx.restore();
    };

    /**
     * The pens' lines, 2 px wide, drawn as two 1-px strokes one pixel apart. In software
     * rendering (no GPU) a 1-px stroke takes the canvas's "hairline" fast path, while a 2-px one
     * is rasterized as a polygon with a join at every vertex, and a dense 10-minute live window
     * has ~3 vertices per pixel column per pen. Measured for 8 pens live at 10 Hz: renderer CPU
     * 74 % with uPlot's own 2-px strokes (round joins), 49 % with bevel joins, 16 % like this.
     * uPlot builds the paths and the gap clips; the empty stroke style keeps it from stroking.
     */
    const strokePen = (u: uPlot, si: number) => {
      const s = u.series[si] as uPlot.Series & { _paths?: { stroke?: Path2D | null; clip?: Path2D | null } | null };
      const path = s._paths?.stroke;
      if (!path || si === 0 || s.show === false) return;
      const ctx = u.ctx;
      clipToPlot(u);
      if (s._paths?.clip) ctx.clip(s._paths.clip);
      ctx.strokeStyle = styles[si - 1].color;
      ctx.lineWidth = 1;
      ctx.lineJoin = 'bevel';
      ctx.lineCap = 'butt';
      ctx.setLineDash(styles[si - 1].dash?.map((d) => d * uPlot.pxRatio) ?? []);
      // centred on pixel rows (half-pixel offset): crisp, one row each
      ctx.translate(0.5, 0.5);
      ctx.stroke(path);
      ctx.translate(0, 1);
      ctx.stroke(path);
      ctx.restore();
    };

    const announce = (u: uPlot) => {
      const r = visible();
      const cols = source.columns;
      const last: TrendDrawnDetail['last'] = {};
      const xs = u.data[0];
      const gaps: TrendDrawnDetail['gaps'] = {};
      const x0 = r.from / 1000;
      const x1 = r.to / 1000;
      tags.forEach((tag, pen) => {
        const ys = (u.data[pen + 1] ?? []) as (number | null | undefined)[];
        // runs of consecutive nulls, as uPlot clips them (it draws across anything else)
        let runs = 0;
        let inGap = false;
        for (let i = 0; i < ys.length; i++) {
          if (xs[i] < x0 || xs[i] > x1) continue;
          const y = ys[i];
          if (y === null && !inGap) runs++;
          inGap = y === null;
        }
        gaps[tag.id] = runs;
        for (let i = ys.length - 1; i >= 0; i--) {
          if (ys[i] !== undefined) {
            last[tag.id] = { t: Math.round(xs[i] * 1000), v: ys[i] ?? null };
            break;
          }
        }
      });
      const detail: TrendDrawnDetail = { from: Math.round(r.from), to: Math.round(r.to), loading: source.getStatus().loading, points: cols === null ? 0 : lastPoints, last, gaps };
      container.dispatchEvent(new CustomEvent('lineside-trend-drawn', { bubbles: true, detail }));
    };

    const opts: uPlot.Options = {
      width: Math.max(100, container.clientWidth),
      height: Math.max(100, container.clientHeight),
      legend: { show: false },
      cursor: {
        drag: { x: tool === 'box', y: false, setScale: false, dist: 10 },
        points: { size: 10 },
        bind: { dblclick: () => () => null },
      },
      select: { show: true, left: 0, top: 0, width: 0, height: 0 },
      scales,
      axes,
      series: [
        {},
        ...tags.map((tag, i): uPlot.Series => ({
          label: tag.name,
          scale: scaleKeyOf(tag),
          // stroked by strokePen (the empty style tells uPlot not to stroke it itself)
          stroke: () => '',
          width: CHART_STYLE.penWidth,
          spanGaps: false,
          paths: isDiscrete(tag) ? uPlot.paths.stepped?.({ align: 1 }) : undefined,
          // a good sample between two gaps has no line to sit on: a dot shows it
          points: { show: true, size: 7, fill: styles[i].color, stroke: styles[i].color, filter: (u, seriesIdx) => isolatedValueIndices(u.data[seriesIdx] as (number | null | undefined)[]) },
        })),
      ],
      hooks: {
        drawSeries: [strokePen],
        drawClear: [drawBands],
        draw: [drawOverlays, announce],
        setSelect: [
          (u) => {
            const sel = u.select;
            if (sel.width >= TAP_SLOP) {
              const from = u.posToVal(sel.left, 'x') * 1000;
              const to = u.posToVal(sel.left + sel.width, 'x') * 1000;
              if (to - from >= MIN_SPAN_MS / 10) propsRef.current.interaction.onRange(from, to);
            }
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          },
        ],
        setCursor: [
          (u) => {
            const left = u.cursor.left ?? -1;
            propsRef.current.interaction.onCursor(left < 0 ? null : u.posToVal(left, 'x') * 1000);
          },
        ],
      },
    };

    const build = (): uPlot.AlignedData => {
      const cols = source.columns;
      // the source may still hold the previous pens' data (it is configured after this chart)
      if (cols === null || cols.pens !== tags.length || source.tags.some((t, i) => t.id !== tags[i]?.id)) {
        lastPoints = 0;
        return [[], ...tags.map(() => [])] as unknown as uPlot.AlignedData;
      }
      const p = propsRef.current;
      if (p.live) source.prune();
      const data = p.live ? cols.toAligned(source.held(), Date.now()) : cols.toAligned();
      lastPoints = data[0].length;
      return data as unknown as uPlot.AlignedData;
    };

    const chart = new uPlot(opts, build(), container);
    chartRef.current = chart;
    let lastDrawAt = 0;
    const redraw = () => {
      frame = 0;
      lastDrawAt = performance.now();
      chart.setData(build());
    };
    const schedule = () => {
      if (frame === 0) frame = requestAnimationFrame(redraw);
    };
    const offData = source.subscribeData(schedule);
    // live: scroll at least every 250 ms (or once per column when columns are wider), unless new
    // data has just drawn anyway
    const tickMs = Math.max(250, Math.min(5_000, (propsRef.current.spanMs / Math.max(100, container.clientWidth)) | 0));
    const tick = window.setInterval(() => {
      if (propsRef.current.live && performance.now() - lastDrawAt >= tickMs - 20) schedule();
    }, tickMs);

    const resize = new ResizeObserver(() => {
      const width = Math.max(100, container.clientWidth);
      const height = Math.max(100, container.clientHeight);
      if (width !== chart.width || height !== chart.height) chart.setSize({ width, height });
    });
    resize.observe(container);

    // Wheel: zoom around the pointer.
    const over = chart.over;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const r = visible();
      const rect = over.getBoundingClientRect();
      const anchor = r.from + ((e.clientX - rect.left) / rect.width) * (r.to - r.from);
      const factor = e.deltaY < 0 ? 0.8 : 1.25;
      const from = anchor - (anchor - r.from) * factor;
      const to = anchor + (r.to - anchor) * factor;
      propsRef.current.interaction.onRange(from, to);
    };
    over.addEventListener('wheel', onWheel, { passive: false });

    // Touch, pen, and the mouse in pan mode: one pointer pans (or taps), two pinch.
    const pointers = new Map<number, { x: number; y: number }>();
    let gesture: { start: { from: number; to: number }; x0: number; dist0: number; mid0: number; moved: boolean; mouse: boolean } | null = null;
    const rectX = (clientX: number) => {
      const rect = over.getBoundingClientRect();
      return clientX - rect.left;
    };
    const timeAtX = (x: number, r: { from: number; to: number }) => r.from + (x / Math.max(1, over.clientWidth)) * (r.to - r.from);
    const beginGesture = (mouse: boolean) => {
      const pts = [...pointers.values()];
      const r = visible();
      const xs = pts.map((p) => p.x);
      gesture = {
        start: { from: r.from, to: r.to },
        x0: xs[0],
        dist0: pts.length > 1 ? Math.abs(xs[1] - xs[0]) : 0,
        mid0: pts.length > 1 ? (xs[0] + xs[1]) / 2 : xs[0],
        moved: gesture?.moved ?? false,
        mouse,
      };
    };
    const onPointerDown = (e: PointerEvent) => {
      const mouse = e.pointerType === 'mouse';
      if (mouse && (propsRef.current.tool === 'box' || e.button !== 0)) return;
      over.setPointerCapture(e.pointerId);
      pointers.set(e.pointerId, { x: rectX(e.clientX), y: e.clientY });
      beginGesture(mouse);
      e.preventDefault();
    };
    const onPointerMove = (e: PointerEvent) => {
      if (!pointers.has(e.pointerId) || gesture === null) return;
      pointers.set(e.pointerId, { x: rectX(e.clientX), y: e.clientY });
      const pts = [...pointers.values()];
      const g = gesture;
      const span = g.start.to - g.start.from;
      const pxToMs = span / Math.max(1, over.clientWidth);
      if (pts.length >= 2 && g.dist0 > 20) {
        const dist = Math.abs(pts[1].x - pts[0].x);
        const mid = (pts[0].x + pts[1].x) / 2;
        const factor = Math.min(20, Math.max(0.05, g.dist0 / Math.max(10, dist)));
        const anchor = timeAtX(g.mid0, g.start);
        const from = anchor - (anchor - g.start.from) * factor - (mid - g.mid0) * pxToMs * factor;
        previewRef.current = { from, to: from + span * factor };
        g.moved = true;
      } else {
        const dx = pts[0].x - g.x0;
        if (!g.moved && Math.abs(dx) < TAP_SLOP) return;
        g.moved = true;
        previewRef.current = { from: g.start.from - dx * pxToMs, to: g.start.to - dx * pxToMs };
      }
      chart.setScale('x', { min: previewRef.current.from / 1000, max: previewRef.current.to / 1000 });
    };
    const onPointerUp = (e: PointerEvent) => {
      if (!pointers.has(e.pointerId)) return;
      const g = gesture;
      const x = rectX(e.clientX);
      pointers.delete(e.pointerId);
      if (pointers.size > 0) {
        // one finger of a pinch lifted: go on panning with the other from here
        if (previewRef.current !== null) {
          const keep = previewRef.current;
          previewRef.current = null;
          propsRef.current.interaction.onRange(keep.from, keep.to);
          previewRef.current = keep;
        }
        beginGesture(g?.mouse ?? false);
        return;
      }
      gesture = null;
      const preview = previewRef.current;
      previewRef.current = null;
      if (g !== null && !g.moved) {
        propsRef.current.interaction.onPick(timeAtX(x, visible()));
        return;
      }
      if (preview !== null) propsRef.current.interaction.onRange(preview.from, preview.to);
    };
    const onPointerCancel = (e: PointerEvent) => {
      pointers.delete(e.pointerId);
      if (pointers.size === 0) {
        gesture = null;
        previewRef.current = null;
        schedule();
      }
    };
    // a mouse click in box mode (no drag) pins the cursor too
    const onClick = (e: MouseEvent) => {
      if (propsRef.current.tool !== 'box') return;
      const sel = chart.select.width;
      if (sel >= TAP_SLOP) return;
      propsRef.current.interaction.onPick(timeAtX(rectX(e.clientX), visible()));
    };
    over.addEventListener('pointerdown', onPointerDown);
    over.addEventListener('pointermove', onPointerMove);
    over.addEventListener('pointerup', onPointerUp);
    over.addEventListener('pointercancel', onPointerCancel);
    over.addEventListener('click', onClick);
    over.style.touchAction = 'none';

    return () => {
      if (frame !== 0) cancelAnimationFrame(frame);
      window.clearInterval(tick);
      offData();
      resize.disconnect();
      over.removeEventListener('wheel', onWheel);
      over.removeEventListener('pointerdown', onPointerDown);
      over.removeEventListener('pointermove', onPointerMove);
      over.removeEventListener('pointerup', onPointerUp);
      over.removeEventListener('pointercancel', onPointerCancel);
      over.removeEventListener('click', onClick);
      chartRef.current = null;
      chart.destroy();
    };
  }, [tags, colors, source, tool, limits]);

  // A new range, mode or cursor: redraw with the data held (new data redraws by itself).
  const { from, to, live, spanMs, cursors, highlighted } = props;
  useEffect(() => {
    const chart = chartRef.current;
    if (chart === null) return;
    const r = live ? { from: Date.now() - spanMs, to: Date.now() } : { from, to };
    chart.setScale('x', { min: r.from / 1000, max: r.to / 1000 });
  }, [from, to, live, spanMs, cursors, highlighted]);

  return <div className="trend-chart multi-chart__plot" ref={containerRef} data-testid="trend-chart" />;
}
