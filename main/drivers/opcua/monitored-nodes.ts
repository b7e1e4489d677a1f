/**
 * The nodes a driver watches, independent of any connection: one entry per (node, sampling
 * interval, deadband), shared by every tag and plan that names it, holding the latest DataValue
 * the server sent. A connection (re)creates monitored items for all of them; when it is gone the
 * registry keeps what was last heard, so a rebuilt connection knows what to ask for again.
 */
import {
  AttributeIds,
  DataChangeFilter,
  DataChangeTrigger,
  DeadbandType,
  type DataValue,
  type MonitoringParametersOptions,
  type ReadValueIdOptions,
} from 'node-opcua';
import type { OpcUaDeadband } from '../../../shared/opcua';
import type { DriverTag } from '../driver';

/** sampling interval for tags planned without one (one-off reads) */
export const DEFAULT_SAMPLING_MS = 1000;

/** Small, oldest dropped: a burst between two publishes keeps its latest values. */
export const DEFAULT_QUEUE_SIZE = 10;

export interface MonitoringSettings {
  samplingMs: number;
  deadband: OpcUaDeadband | null;
}

/** bound on values kept for one item between two pushes (its server queue is smaller) */
const MAX_PENDING = 100;

export class MonitoredNode {
  latest: DataValue | null = null;
  /** when `latest` arrived (our clock) */
  receivedAt = 0;
  /** bumped on every value, so a slow Read does not overwrite a newer notification */
  version = 0;

  constructor(
    readonly key: string,
    readonly address: string,
    readonly settings: MonitoringSettings,
  ) {}

  /**
   * Every value notified since the last push, oldest first: one publish response can carry
   * several samples of one item (its queue), and each is a sample of history, not only the last.
   */
  pending: DataValue[] = [];

  update(dv: DataValue, now: number): void {
    this.latest = dv;
    this.receivedAt = now;
    this.version++;
    if (this.pending.length >= MAX_PENDING) this.pending.shift();
    this.pending.push(dv);
  }

  /** the notified values not yet pushed; empties the list */
  takePending(): DataValue[] {
    const values = this.pending;
    this.pending = [];
    return values;
  }
}

export function settingsOf(tag: DriverTag): MonitoringSettings {
  return { samplingMs: tag.samplingMs ?? DEFAULT_SAMPLING_MS, deadband: tag.opcuaDeadband ?? null };
}

export function settingsKey(s: MonitoringSettings): string {
  return `${s.samplingMs}|${s.deadband ? `${s.deadband.type}:${s.deadband.value}` : '-'}`;
}

export class MonitoredNodeRegistry {
  private readonly nodes = new Map<string, MonitoredNode>();

  nodeFor(tag: DriverTag): MonitoredNode {
    const settings = settingsOf(tag);
    const key = `${tag.address}\u0000${settingsKey(settings)}`;
    let node = this.nodes.get(key);
    if (!node) {
      node = new MonitoredNode(key, tag.address, settings);
      this.nodes.set(key, node);
    }
    return node;
  }

  all(): MonitoredNode[] {
    return [...this.nodes.values()];
  }

  get size(): number {
    return this.nodes.size;
  }
}

/** Nodes that can share one CreateMonitoredItems call (same sampling interval and filter). */
export function groupBySettings(nodes: readonly MonitoredNode[]): MonitoredNode[][] {
  const groups = new Map<string, MonitoredNode[]>();
  for (const n of nodes) {
    const k = settingsKey(n.settings);
    const list = groups.get(k) ?? [];
    list.push(n);
    groups.set(k, list);
  }
  return [...groups.values()];
}

export function itemToMonitor(node: MonitoredNode): ReadValueIdOptions {
  return { nodeId: node.address, attributeId: AttributeIds.Value };
}

export function monitoringParameters(settings: MonitoringSettings, queueSize: number): MonitoringParametersOptions {
  return {
    samplingInterval: settings.samplingMs,
    queueSize,
    discardOldest: true,
    // Without a deadband no filter at all: the server's default (StatusValue, no deadband) is
    // what we want, and some servers refuse any filter on some nodes.
    filter: settings.deadband
      ? new DataChangeFilter({
          trigger: DataChangeTrigger.StatusValue,
          deadbandType: settings.deadband.type === 'absolute' ? DeadbandType.Absolute : DeadbandType.Percent,
          deadbandValue: settings.deadband.value,
        })
      : null,
  };
}
