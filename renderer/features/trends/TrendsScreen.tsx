import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import type { AlarmDefinitionInfo } from '../../../shared/alarms';
import type { TagInfo } from '../../../shared/types';
import { MAX_TREND_PENS, type TrendPen, type TrendRangePreset, type TrendView, trendRangePresets } from '../../../shared/trend-api';
import { tokenFromHash } from '../../api/runtime-url';
import { useServices } from '../../state/services';
import { useAlarmContext } from '../alarms/AlarmProvider';
import type { ConnectionView } from '../../state/useConnection';
import { MultiPenChart, type ChartInteraction, type PenLimit } from './MultiPenChart';
import { PenTable, type CursorStats } from './PenTable';
import { SaveViewDialog, ViewsDialog } from './SavedViewsDialogs';
import { TagPickerDialog } from './TagPickerDialog';
import { chartPicture, downloadBlob, exportFileStem, samplesCsvUrl } from './trend-export';
import { nextPenColor, PEN_COLORS, penStyle } from './trend-pens';
import {
  DEFAULT_LIVE_SPAN_MS,
  formatDateTime,
  formatSpan,
  formatTrendHash,
  fromLocalInput,
  LIVE_SPANS_MIN,
  panRange,
  PRESET_LABELS,
  presetRange,
  rangeSpecOf,
  toLocalInput,
  windowOfSpec,
  windowRange,
  zoomRange,
  type TrendWindow,
} from './trend-range';
import { TrendSource } from './trend-source';
import { isTrendable } from './trend-values';

export interface TrendRequest {
  pens: string[];
  window: TrendWindow | null;
  /** bumps for every request, so the same pens asked again still apply */
  seq: number;
}

interface TrendsScreenProps {
  tags: readonly TagInfo[] | null;
  generation: number;
  connection: ConnectionView;
  shiftStarts: readonly string[];
  request: TrendRequest | null;
}

const LIMIT_TYPES: Record<string, string> = { highHigh: 'HH', high: 'H', low: 'L', lowLow: 'LL' };

/** The alarm definitions the alarm model already holds (loaded once per connection for every screen). */
function useAlarmDefinitions(): readonly AlarmDefinitionInfo[] {
  const { model } = useAlarmContext();
  return useSyncExternalStore(model.subscribe, () => model.definitions());
}

/** Follows the plot's width, in steps of 20 px so a resize does not reload history for every pixel. */
function useWidth(ref: React.RefObject<HTMLElement | null>): number {
  const [w, setW] = useState(1200);
  useEffect(() => {
    const el = ref.current;
    if (el === null) return;
    const ro = new ResizeObserver(() => setW(Math.max(200, Math.round(el.clientWidth / 20) * 20)));
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref]);
  return w;
}

/**
 * The Trends screen: several pens over live or historical time, zoom and pan by touch, mouse
 * and keys, cursors with readouts, saved views and exports.
 */
export function TrendsScreen({ tags, generation, connection, shiftStarts, request }: TrendsScreenProps) {
  const services = useServices();
  const { client, messages } = services;
  const source = useMemo(() => new TrendSource(services.client, services.values, services.messages), [services]);
  useEffect(() => () => source.dispose(), [source]);
  const status = useSyncExternalStore(source.subscribeStatus, source.getStatus);

  const [pens, setPens] = useState<TrendPen[]>([]);
  const [window, setWindow] = useState<TrendWindow>({ mode: 'live', spanMs: DEFAULT_LIVE_SPAN_MS });
  const [liveSpan, setLiveSpan] = useState(DEFAULT_LIVE_SPAN_MS);
  const [preset, setPreset] = useState<TrendRangePreset | null>(null);
  const [tool, setTool] = useState<'box' | 'pan'>('box');
  const [hover, setHover] = useState<number | null>(null);
  const [pinned, setPinned] = useState<number | null>(null);
  const [cursorA, setCursorA] = useState<number | null>(null);
  const [cursorB, setCursorB] = useState<number | null>(null);
  const [stats, setStats] = useState<CursorStats | null>(null);
  const [dialog, setDialog] = useState<'picker' | 'views' | 'save' | null>(null);
  const [viewName, setViewName] = useState('');
  const [highlighted, setHighlighted] = useState<string | null>(null);
  // bumped when the data changed (at most 4 times a second): the pen table reads its values again
  const [, setRevision] = useState(0);
  const [freeFrom, setFreeFrom] = useState('');
  const [freeTo, setFreeTo] = useState('');
  /** the free from–to fields take a row of their own: shown only when asked for */
  const [freeOpen, setFreeOpen] = useState(false);
  const plotRef = useRef<HTMLDivElement>(null);
  const width = useWidth(plotRef);
  const alarmDefs = useAlarmDefinitions();

  // Pens and range asked for from elsewhere (a tapped value, an alarm, the address).
  const appliedSeq = useRef(-1);
  useEffect(() => {
    if (request === null || request.seq === appliedSeq.current || tags === null) return;
    appliedSeq.current = request.seq;
    const known = request.pens.filter((id) => tags.some((t) => t.id === id && isTrendable(t))).slice(0, MAX_TREND_PENS);
    if (known.length > 0) {
      setPens((cur) => {
        const next: TrendPen[] = [];
        for (const id of known) next.push(cur.find((p) => p.tagId === id) ?? { tagId: id, color: nextPenColor(next) });
        return next;
      });
    }
    if (request.window !== null) {
      setWindow(request.window);
      if (request.window.mode === 'live') setLiveSpan(request.window.spanMs);
      setPreset(null);
    }
    setPinned(null);
    setCursorA(null);
    setCursorB(null);
  }, [request, tags]);

  const penTags = useMemo(() => {
    if (tags === null) return [];
    return pens.map((p) => tags.find((t) => t.id === p.tagId)).filter((t): t is TagInfo => t !== undefined);
  }, [tags, pens]);
  const colors = useMemo(() => pens.filter((p) => penTags.some((t) => t.id === p.tagId)).map((p) => p.color), [pens, penTags]);
  const styles = useMemo(() => penTags.map((_, i) => penStyle(i, colors[i])), [penTags, colors]);
  const limits = useMemo<PenLimit[]>(
    () =>
      alarmDefs.flatMap((d) => {
        const pen = d.tag === null ? -1 : penTags.findIndex((t) => t.id === d.tag);
        return pen < 0 || d.limit === null ? [] : [{ pen, value: d.limit, label: `${LIMIT_TYPES[d.type] ?? d.type} ${d.limit}` }];
      }),
    [alarmDefs, penTags],
  );

  useEffect(() => {
    source.configure({ tags: penTags, window, widthPx: width, generation });
  }, [source, penTags, window, width, generation]);

  // the readout follows the data: new history, and (throttled) live values
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const off = source.subscribeData(() => {
      timer ??= setTimeout(() => {
        timer = null;
        setRevision((r) => (r + 1) % 1_000_000);
      }, 250);
    });
    return () => {
      off();
      if (timer !== null) clearTimeout(timer);
    };
  }, [source]);

  // keep the address in step, so a reload or a bookmark opens the same trend (the token stays)
  useEffect(() => {
    const token = tokenFromHash(location.hash);
    const hash = formatTrendHash(penTags.map((t) => t.id), window) + (token !== null ? `&token=${encodeURIComponent(token)}` : '');
    if (location.hash !== hash) history.replaceState(null, '', hash);
  }, [penTags, window]);

  useEffect(() => () => {
    if (location.hash.startsWith('#trends')) {
      const token = tokenFromHash(location.hash);
      history.replaceState(null, '', token !== null ? `#token=${encodeURIComponent(token)}` : location.pathname + location.search);
    }
  }, []);

  const live = window.mode === 'live';
  const range = windowRange(window, Date.now());
  const visibleFrom = live ? status.from : window.from;
  const visibleTo = live ? status.to : window.to;

  // statistics between cursors A and B, exact from the historian (not from the points drawn)
  useEffect(() => {
    if (cursorA === null || cursorB === null || penTags.length === 0 || cursorA === cursorB) {
      setStats(null);
      return;
    }
    const from = Math.floor(Math.min(cursorA, cursorB));
    const to = Math.ceil(Math.max(cursorA, cursorB));
    let current = true;
    setStats({ from, to, series: null });
    client
      .call('history.buckets', { tagIds: penTags.map((t) => t.id), from, to, buckets: 1, resolution: to - from <= 86_400_000 ? 'raw' : 'auto' })
      .then(
        (b) => {
          if (current) setStats({ from, to, series: penTags.map((t) => b.series.find((s) => s.tagId === t.id) ?? null) });
        },
        (err: unknown) => {
          if (!current) return;
          messages.reportError('Statistics between the cursors', err);
          setStats(null);
        },
      );
    return () => {
      current = false;
    };
  }, [client, messages, cursorA, cursorB, penTags]);

  /** Leaves live mode at the range shown, e.g. when the user zooms or inspects. */
  const pause = useCallback((): { from: number; to: number } => {
    const r = source.getStatus();
    const now = Date.now();
    const span = window.mode === 'live' ? window.spanMs : window.to - window.from;
    return window.mode === 'live' ? { from: Math.max(r.from, now - span), to: now } : { from: window.from, to: window.to };
  }, [source, window]);

  const showRange = useCallback((from: number, to: number) => {
    const z = zoomRange(from, to, 1);
    setWindow({ mode: 'history', from: z.from, to: z.to });
    setPreset(null);
  }, []);

  const interaction = useMemo<ChartInteraction>(
    () => ({
      onRange: (from, to) => showRange(from, to),
      onCursor: (t) => setHover(t),
      onPick: (t) => {
        if (window.mode === 'live') {
          const r = pause();
          setWindow({ mode: 'history', ...r });
          setPreset(null);
        }
        setPinned(t);
      },
    }),
    [showRange, window, pause],
  );

  const zoom = (factor: number) => {
    const r = pause();
    const z = zoomRange(r.from, r.to, factor, pinned ?? undefined);
    showRange(z.from, z.to);
  };
  const pan = (fraction: number) => {
    const r = pause();
    const p = panRange(r.from, r.to, fraction);
    showRange(p.from, p.to);
  };
  const backToLive = () => {
    setWindow({ mode: 'live', spanMs: liveSpan });
    setPreset(null);
    setPinned(null);
  };
  const choosePreset = (p: TrendRangePreset) => {
    const r = presetRange(p, Date.now(), shiftStarts);
    setWindow({ mode: 'history', ...r });
    setPreset(p);
  };
  const chooseLive = (min: number) => {
    setLiveSpan(min * 60_000);
    setWindow({ mode: 'live', spanMs: min * 60_000 });
    setPreset(null);
    setPinned(null);
  };
  const applyFree = () => {
    const from = fromLocalInput(freeFrom);
    const to = fromLocalInput(freeTo);
    if (from === null || to === null || to <= from) {
      messages.reportError('Showing the range', new Error('give a start and an end after it'));
      return;
    }
    showRange(from, to);
  };
  const addPen = (tagId: string) =>
    setPens((cur) => (cur.some((p) => p.tagId === tagId) || cur.length >= MAX_TREND_PENS ? cur : [...cur, { tagId, color: nextPenColor(cur) }]));
  const removePen = (tagId: string) => setPens((cur) => cur.filter((p) => p.tagId !== tagId));
  /** The next palette colour no other pen uses (the palette keeps clear of alarm and bad-data colours). */
  const recolorPen = (tagId: string) =>
    setPens((cur) => {
      const i = cur.findIndex((p) => p.tagId === tagId);
      if (i < 0) return cur;
      const used = new Set(cur.map((p, k) => (k === i ? '' : (p.color ?? penStyle(k).color))));
      const mine = cur[i].color ?? penStyle(i).color;
      const start = Math.max(0, PEN_COLORS.indexOf(mine as (typeof PEN_COLORS)[number]));
      for (let step = 1; step <= PEN_COLORS.length; step++) {
        const c = PEN_COLORS[(start + step) % PEN_COLORS.length];
        if (!used.has(c)) return cur.map((p, k) => (k === i ? { ...p, color: c } : p));
      }
      return cur;
    });
  const openView = (v: TrendView) => {
    setPens(v.pens.map((p, i) => ({ tagId: p.tagId, color: p.color ?? penStyle(i).color })));
    const w = windowOfSpec(v.range, Date.now(), shiftStarts);
    setWindow(w);
    if (w.mode === 'live') setLiveSpan(w.spanMs);
    setPreset(v.range.kind === 'preset' ? v.range.preset : null);
    setViewName(v.name);
    setPinned(null);
    setCursorA(null);
    setCursorB(null);
    setDialog(null);
  };
  const cursorTime = pinned ?? hover;
  const setCursor = (which: 'a' | 'b') => {
    const t = cursorTime ?? (visibleFrom + visibleTo) / 2;
    if (live) {
      const r = pause();
      setWindow({ mode: 'history', ...r });
    }
    (which === 'a' ? setCursorA : setCursorB)(t);
  };

  const exportCsv = () => {
    const url = samplesCsvUrl(penTags.map((t) => t.id), visibleFrom, visibleTo, location);
    if (url === null) {
      messages.reportError('CSV export', new Error('the desktop window does not download files yet; use the headless shell'));
      return;
    }
    const a = document.createElement('a');
    a.href = url;
    a.download = '';
    document.body.appendChild(a);
    a.click();
    a.remove();
  };
  const exportPng = async () => {
    const canvas = plotRef.current?.querySelector('canvas');
    if (!canvas) return;
    try {
      const blob = await chartPicture(
        canvas,
        viewName === '' ? 'Lineside trend' : viewName,
        visibleFrom,
        visibleTo,
        penTags.map((t, i) => ({ name: t.name, units: t.units, color: styles[i].color, dash: styles[i].dash })),
      );
      downloadBlob(blob, `${exportFileStem(visibleFrom)}.png`);
    } catch (err) {
      messages.reportError('PNG export', err);
    }
  };

  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.target instanceof HTMLInputElement) return;
    if (e.key === 'ArrowLeft') pan(-0.1);
    else if (e.key === 'ArrowRight') pan(0.1);
    else if (e.key === '+' || e.key === '=') zoom(0.5);
    else if (e.key === '-') zoom(2);
    else if (e.key === 'Home' || e.key === 'l') backToLive();
    else if (e.key === 'Escape') {
      setPinned(null);
      setCursorA(null);
      setCursorB(null);
    } else return;
    e.preventDefault();
  };

  const stale = live && connection !== 'connected';
  const chartCursors = useMemo(() => ({ a: cursorA, b: cursorB, pinned }), [cursorA, cursorB, pinned]);

  return (
    <main
      className="trends"
      data-testid="trends-screen"
      data-mode={live ? 'live' : 'history'}
      data-from={Math.round(live ? range.from : window.from)}
      data-to={Math.round(live ? range.to : window.to)}
      data-loading={status.loading}
      onKeyDown={onKeyDown}
    >
      <div className="trends__bar" role="toolbar" aria-label="Trend range">
        <div className="trends__group" role="group" aria-label="Live window">
          <span className="trends__group-label">Live</span>
          {LIVE_SPANS_MIN.map((m) => (
            <button key={m} type="button" className={`toggle toggle--compact${live && window.spanMs === m * 60_000 ? ' toggle--on' : ''}`} aria-pressed={live && window.spanMs === m * 60_000} onClick={() => chooseLive(m)} data-testid={`trend-live-${m}`}>
              {m < 60 ? `${m} min` : `${m / 60} h`}
            </button>
          ))}
        </div>
        <div className="trends__group" role="group" aria-label="History">
          <span className="trends__group-label">History</span>
          {trendRangePresets.map((p) => (
            <button key={p} type="button" className={`toggle toggle--compact${!live && preset === p ? ' toggle--on' : ''}`} aria-pressed={!live && preset === p} onClick={() => choosePreset(p)} data-testid={`trend-range-${p}`}>
              {PRESET_LABELS[p]}
            </button>
          ))}
        </div>
        <button type="button" className={`toggle toggle--compact${freeOpen ? ' toggle--on' : ''}`} aria-pressed={freeOpen} aria-expanded={freeOpen} onClick={() => setFreeOpen((o) => !o)} data-testid="trend-free-open">
          From – to…
        </button>
        {freeOpen && (
          <div className="trends__group trends__free" role="group" aria-label="Free range">
            <input type="datetime-local" step="1" aria-label="From" value={freeFrom || toLocalInput(visibleFrom || Date.now())} onChange={(e) => setFreeFrom(e.target.value)} data-testid="trend-free-from" />
            <span>–</span>
            <input type="datetime-local" step="1" aria-label="To" value={freeTo || toLocalInput(visibleTo || Date.now())} onChange={(e) => setFreeTo(e.target.value)} data-testid="trend-free-to" />
            <button type="button" className="toggle toggle--compact" onClick={applyFree} data-testid="trend-free-apply">
              Show
            </button>
          </div>
        )}
      </div>
      <div className="trends__bar" role="toolbar" aria-label="Chart">
        <div className="trends__group" role="group" aria-label="Zoom and pan">
          <button type="button" className="toggle" aria-label="Earlier" onClick={() => pan(-0.5)} data-testid="trend-pan-left">
            ◀
          </button>
          <button type="button" className="toggle" aria-label="Zoom in" onClick={() => zoom(0.5)} data-testid="trend-zoom-in">
            Zoom +
          </button>
          <button type="button" className="toggle" aria-label="Zoom out" onClick={() => zoom(2)} data-testid="trend-zoom-out">
            Zoom −
          </button>
          <button type="button" className="toggle" aria-label="Later" onClick={() => pan(0.5)} data-testid="trend-pan-right">
            ▶
          </button>
          <button type="button" className={`toggle toggle--compact${tool === 'box' ? ' toggle--on' : ''}`} aria-pressed={tool === 'box'} onClick={() => setTool('box')} data-testid="trend-tool-box" title="Dragging on the chart zooms to the box drawn">
            Box zoom
          </button>
          <button type="button" className={`toggle toggle--compact${tool === 'pan' ? ' toggle--on' : ''}`} aria-pressed={tool === 'pan'} onClick={() => setTool('pan')} data-testid="trend-tool-pan" title="Dragging on the chart moves it in time">
            Drag pans
          </button>
        </div>
        <div className="trends__spacer" />
        <div className="trends__group" role="group" aria-label="Pens and views">
          <button type="button" className="toggle toggle--compact" onClick={() => setDialog('picker')} disabled={tags === null} data-testid="trend-add-pen">
            Add pens…
          </button>
          <button type="button" className="toggle toggle--compact" onClick={() => setDialog('views')} data-testid="trend-views-open">
            Views
          </button>
          <button type="button" className="toggle toggle--compact" onClick={() => setDialog('save')} disabled={penTags.length === 0} data-testid="trend-view-save-open">
            Save view…
          </button>
          <button type="button" className="toggle toggle--compact" onClick={exportCsv} disabled={penTags.length === 0} data-testid="trend-export-csv">
            CSV
          </button>
          <button type="button" className="toggle toggle--compact" onClick={() => void exportPng()} disabled={penTags.length === 0} data-testid="trend-export-png">
            PNG
          </button>
        </div>
      </div>
      <div className="trends__statusbar">
        <div className={`trends__status${live ? '' : ' trends__status--paused'}`} role="status" data-testid="trend-status">
          {live ? (
            <span className="trends__mode">LIVE · last {formatSpan(window.spanMs)}</span>
          ) : (
            <>
              <span className="trends__mode trends__mode--paused">{preset !== null ? 'HISTORY' : 'PAUSED'}</span>
              <span>
                {formatDateTime(window.from)} – {formatDateTime(window.to)} ({formatSpan(window.to - window.from)})
              </span>
              <button type="button" className="toggle toggle--on toggle--compact" onClick={backToLive} data-testid="trend-back-to-live">
                Back to live
              </button>
            </>
          )}
          <span className="trends__detail" data-testid="trend-detail">
            {status.loading ? 'Loading…' : status.decimated ? 'min/max per pixel: zoom in for every sample' : penTags.length > 0 ? 'every sample' : ''}
          </span>
          {viewName !== '' && <span className="trends__view">View: {viewName}</span>}
        </div>
        <div className="trends__group" role="group" aria-label="Cursors">
          <button type="button" className={`toggle toggle--compact${cursorA !== null ? ' toggle--on' : ''}`} onClick={() => setCursor('a')} data-testid="trend-cursor-a" title="Cursor A at the point shown in the readout">
            Cursor A
          </button>
          <button type="button" className={`toggle toggle--compact${cursorB !== null ? ' toggle--on' : ''}`} onClick={() => setCursor('b')} data-testid="trend-cursor-b" title="Cursor B at the point shown in the readout">
            Cursor B
          </button>
          <button type="button" className="toggle toggle--compact" disabled={pinned === null && cursorA === null && cursorB === null} onClick={() => { setPinned(null); setCursorA(null); setCursorB(null); }} data-testid="trend-cursor-clear" aria-label="Clear cursors">
            Clear
          </button>
        </div>
      </div>
      <div className="trends__plot" ref={plotRef} tabIndex={0} aria-label="Trend chart: arrows pan, + and − zoom, Home back to live">
        {penTags.length === 0 ? (
          <div className="trends__empty">
            <p>No pens on the chart.</p>
            <button type="button" className="toggle toggle--on" onClick={() => setDialog('picker')} disabled={tags === null} data-testid="trend-add-pen-empty">
              Add pens…
            </button>
          </div>
        ) : (
          <MultiPenChart
            tags={penTags}
            colors={colors}
            source={source}
            live={live}
            spanMs={live ? window.spanMs : window.to - window.from}
            from={live ? 0 : window.from}
            to={live ? 0 : window.to}
            tool={tool}
            limits={limits}
            cursors={chartCursors}
            highlighted={highlighted}
            interaction={interaction}
          />
        )}
        {stale && (
          <div className="trends__stale" data-testid="trend-stale" role="alert">
            LIVE DATA STALE — runtime not connected
          </div>
        )}
      </div>
      {penTags.length > 0 && (
        <div className="trends__pens">
          <PenTable
            tags={penTags}
            styles={styles}
            source={source}
            live={live}
            at={cursorTime}
            cursorA={cursorA}
            cursorB={cursorB}
            stats={stats}
            highlighted={highlighted}
            onHighlight={setHighlighted}
            onRemove={removePen}
            onRecolor={recolorPen}
          />
        </div>
      )}
      {dialog === 'picker' && tags !== null && <TagPickerDialog tags={tags} penIds={penTags.map((t) => t.id)} onAdd={addPen} onClose={() => setDialog(null)} />}
      {dialog === 'views' && <ViewsDialog onOpen={openView} onClose={() => setDialog(null)} />}
      {dialog === 'save' && (
        <SaveViewDialog
          pens={pens.filter((p) => penTags.some((t) => t.id === p.tagId))}
          range={rangeSpecOf(window, preset)}
          initialName={viewName}
          onSaved={(v) => {
            setViewName(v.name);
            setDialog(null);
          }}
          onClose={() => setDialog(null)}
        />
      )}
    </main>
  );
}
