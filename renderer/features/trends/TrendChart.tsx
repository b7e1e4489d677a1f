import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { TagInfo } from '../../../shared/types';
import { CHART_STYLE, formatAxisTime } from './chart-style';
import type { ChartSeries } from './trend-buffer';
import { isolatedValueIndices } from './trend-columns';
import { isDiscrete, yRangeFor } from './trend-values';

const INTEGER_INCREMENTS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 1e6, 1e7, 1e8, 1e9];

interface TrendChartProps {
  tag: TagInfo;
  windowMs: number;
  series: ChartSeries;
  now: number;
}

/**
 * A uPlot trend of one tag, sized to its container. The chart is created once per tag and
 * window and destroyed on change or unmount; data updates only call setData.
 */
export function TrendChart({ tag, windowMs, series, now }: TrendChartProps) {
  const containerRef = useRef<HTMLDivElement>(null);
  const chartRef = useRef<uPlot | null>(null);
  // read by uPlot's range callbacks, so a redraw always uses the latest window end
  const nowRef = useRef(now);
  nowRef.current = now;
  const seriesRef = useRef(series);
  seriesRef.current = series;

  useEffect(() => {
    const container = containerRef.current;
    if (container === null) return;
    const withSeconds = windowMs <= 10 * 60_000;
    const opts: uPlot.Options = {
      width: Math.max(100, container.clientWidth),
      height: Math.max(100, container.clientHeight),
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { size: 10, fill: CHART_STYLE.pen } },
      scales: {
        x: { time: true, range: () => [(nowRef.current - windowMs) / 1000, nowRef.current / 1000] },
        y: { range: (_u, dataMin, dataMax) => yRangeFor(tag, dataMin ?? null, dataMax ?? null) },
      },
      axes: [
        {
          stroke: CHART_STYLE.axis,
          font: CHART_STYLE.font,
          grid: { stroke: CHART_STYLE.grid, width: 1 },
          ticks: { stroke: CHART_STYLE.ticks, width: 1 },
          values: (_u, splits) => splits.map((s) => formatAxisTime(s, withSeconds)),
          space: withSeconds ? 90 : 70,
        },
        {
          label: tag.units === '' ? undefined : tag.units,
          labelFont: CHART_STYLE.labelFont,
          labelSize: 28,
          stroke: CHART_STYLE.axis,
          font: CHART_STYLE.font,
          grid: { stroke: CHART_STYLE.grid, width: 1 },
          ticks: { stroke: CHART_STYLE.ticks, width: 1 },
          size: 72,
          values:
            tag.dataType === 'bool'
              ? (_u, splits) => splits.map((s) => (s === 1 ? 'ON' : s === 0 ? 'OFF' : ''))
              : undefined,
          splits: tag.dataType === 'bool' ? () => [0, 1] : undefined,
          // whole-number ticks for states and counts
          incrs: isDiscrete(tag) ? INTEGER_INCREMENTS : undefined,
        },
      ],
      series: [
        {},
        {
          label: tag.name,
          stroke: CHART_STYLE.pen,
          width: CHART_STYLE.penWidth,
          spanGaps: false,
          // booleans and integers (states, counts) hold their value until the next change
          paths: isDiscrete(tag) ? uPlot.paths.stepped?.({ align: 1 }) : undefined,
          // a good sample between two gaps has no line to sit on: draw it as a dot
          points: {
            show: true,
            size: 6,
            fill: CHART_STYLE.pen,
            stroke: CHART_STYLE.pen,
            filter: (u, seriesIdx) => isolatedValueIndices(u.data[seriesIdx] as (number | null)[]),
          },
        },
      ],
    };
    const chart = new uPlot(opts, seriesRef.current, container);
    chartRef.current = chart;

    const resize = new ResizeObserver(() => {
      const width = Math.max(100, container.clientWidth);
      const height = Math.max(100, container.clientHeight);
      if (width !== chart.width || height !== chart.height) chart.setSize({ width, height });
    });
    resize.observe(container);

    return () => {
      resize.disconnect();
      chartRef.current = null;
      chart.destroy();
    };
  }, [tag, windowMs]);

  useEffect(() => {
    chartRef.current?.setData(series);
  }, [series]);

  return <div className="trend-chart" ref={containerRef} data-testid="trend-chart" />;
}
