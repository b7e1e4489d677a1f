import { formatTime } from '../../ui/datetime';
/** The trend's grey palette: one dark pen on a calm grid. Canvas drawing cannot read CSS variables cheaply. */
export const CHART_STYLE = {
  pen: '#1c1c1c',
  penWidth: 2,
  axis: '#333333',
  grid: '#c2c2c2',
  ticks: '#9a9a9a',
  font: '16px system-ui, "Segoe UI", Roboto, sans-serif',
  labelFont: '600 16px system-ui, "Segoe UI", Roboto, sans-serif',
} as const;


/** Local 24 h time for the x axis; seconds only when the window is short enough to need them. */
export function formatAxisTime(epochSeconds: number, withSeconds: boolean): string {
  return formatTime(epochSeconds * 1000, withSeconds);
}
