/** How the upstream (store-and-forward) status is written on screen. Pure: no DOM, no React. */
import type { SyncSinkState, SyncSinkStatus, SyncStatus, SyncStreamName } from '../../../shared/sync-api';
import { formatAge } from '../overview/format';

export const STREAM_LABEL: Record<SyncStreamName, string> = { alarm: 'Alarms', event: 'Sync events', audit: 'Audit trail', instruction: 'Instruction runs', maintenance: 'Maintenance requests', downtime: 'Downtime events', sample: 'Samples' };

const STATE_LABEL: Record<SyncSinkState, string> = {
  online: 'Online',
  connecting: 'Connecting…',
  backoff: 'Offline — retrying',
  stopped: 'Stopped',
};

export function sinkStateLabel(state: SyncSinkState): string {
  return STATE_LABEL[state];
}

/** normal: grey; transitional: dashed (reconnecting, not yet an alarm); abnormal: the bad colour. */
export type SyncTone = 'normal' | 'transitional' | 'abnormal';

export function sinkTone(s: SyncSinkStatus): SyncTone {
  if (s.abnormal) return 'abnormal';
  return s.state === 'online' || s.state === 'stopped' ? 'normal' : 'transitional';
}

export function count(n: number): string {
  return n.toLocaleString('en-US');
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} kB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

/** The header's compact indicator: null when nothing is configured (nothing to show). */
export function indicatorOf(status: SyncStatus | null, now: number): { tone: SyncTone; text: string } | null {
  if (status === null || !status.configured) return null;
  const backlog = status.sinks.reduce((n, s) => Math.max(n, s.backlog), 0);
  const waiting = backlog > 0 ? ` · ${count(backlog)} waiting` : '';
  const offline = status.sinks.filter((s) => s.state !== 'online');
  const abnormal = status.sinks.find((s) => s.abnormal);
  if (abnormal) {
    if (abnormal.offlineSince !== null) return { tone: 'abnormal', text: `Upstream offline ${formatAge(now - abnormal.offlineSince)}${waiting}` };
    const oldest = abnormal.oldestUnackedTs;
    return { tone: 'abnormal', text: `Upstream behind ${oldest === null ? '' : formatAge(now - oldest)}${waiting}` };
  }
  if (offline.length > 0) return { tone: 'transitional', text: `Upstream reconnecting${waiting}` };
  return { tone: 'normal', text: backlog > 0 ? `Upstream sending${waiting}` : 'Upstream online' };
}
