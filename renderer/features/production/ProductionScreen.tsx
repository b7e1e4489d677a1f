import { useState } from 'react';
import type { DowntimeEvent } from '../../../shared/production';
import { LossPanel } from './LossPanel';
import { MaintenancePanel } from './MaintenancePanel';
import { PendingPanel } from './PendingPanel';
import { ProductDialog } from './ProductDialog';
import { ReasonPickerDialog } from './ReasonPickerDialog';
import { ShiftSummary } from './ShiftSummary';
import { StateTimeline } from './StateTimeline';
import { useProduction } from './useProduction';
import './production.css';

/**
 * Production at the line (issue 14): the shift's A / P / Q / OEE, the line's state, product and
 * progress; the state timeline; stops waiting for a reason and the reason picker; the top
 * downtime reasons and the six big losses; the maintenance requests and their lifecycle.
 */
export function ProductionScreen({ generation }: { generation: number }) {
  const { config, live, requests, recent, error, refresh } = useProduction(generation);
  const [picking, setPicking] = useState<DowntimeEvent | null>(null);
  const [productOpen, setProductOpen] = useState(false);
  if (live === null) {
    return (
      <main className="production" data-testid="production-screen" data-ready="false">
        <p className="panel__empty">{error ?? 'Loading…'}</p>
      </main>
    );
  }
  return (
    <main className="production" data-testid="production-screen" data-ready="true" data-pending={live.pending.length}>
      <ShiftSummary live={live} lineName={config?.lines.find((l) => l.id === live.line)?.name ?? null} onChangeProduct={() => setProductOpen(true)} />
      <StateTimeline from={live.shift.from} to={live.shift.to} now={live.now} intervals={live.timeline} pending={live.pending} />
      <div className="prod-panels">
        <PendingPanel pending={live.pending} openStop={live.openStop} recent={recent} onPick={setPicking} />
        <LossPanel kpis={live.kpis} pareto={live.pareto} />
        <MaintenancePanel requests={requests ?? []} onChanged={refresh} />
      </div>
      {picking !== null && config !== null && <ReasonPickerDialog event={picking} reasons={config.reasons} onClose={() => setPicking(null)} onDone={refresh} />}
      {productOpen && config !== null && (
        <ProductDialog line={live.line} products={config.products} current={live.product} order={live.order} onClose={() => setProductOpen(false)} onDone={refresh} />
      )}
    </main>
  );
}
