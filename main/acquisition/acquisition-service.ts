import type { DeviceStatus, ScanConfirmation, TagValue } from '../../shared/types';
import type { Clock } from '../util/clock';
import type { Driver } from '../drivers/driver';
import { ScanGroup, type AcquiredTag } from './scan-group';

/** Builds one scan group per (device, scan rate) and runs them. */
export class AcquisitionService {
  private readonly groups: ScanGroup[] = [];
  private readonly unsubscribes: (() => void)[] = [];

  constructor(
    private readonly drivers: ReadonlyMap<string, Driver>,
    tags: readonly AcquiredTag[],
    private readonly clock: Clock,
    private readonly publish: (batch: TagValue[]) => void,
  ) {
    const byKey = new Map<string, AcquiredTag[]>();
    for (const t of tags) {
      const key = `${t.deviceId}\u0000${t.scanMs}`;
      const list = byKey.get(key) ?? [];
      list.push(t);
      byKey.set(key, list);
    }
    for (const list of byKey.values()) {
      const driver = drivers.get(list[0].deviceId);
      if (!driver) throw new Error(`no driver for device ${list[0].deviceId}`);
      this.groups.push(new ScanGroup(driver, list[0].scanMs, list, clock, publish));
    }
  }

  start(): void {
    for (const g of this.groups) g.start();
    this.publish(this.groups.flatMap((g) => g.values()));
  }

  onDeviceStatus(listener: (s: DeviceStatus) => void): void {
    for (const d of this.drivers.values()) this.unsubscribes.push(d.onStatus(listener));
  }

  deviceStatuses(): DeviceStatus[] {
    return [...this.drivers.values()].map((d) => d.status());
  }

  /** per device and scan rate: when a read last confirmed the values (OPC UA: answered from a live subscription) */
  confirmations(): ScanConfirmation[] {
    return this.groups.map((g) => ({ deviceId: g.driver.deviceId, scanMs: g.scanMs, confirmedAt: g.confirmedAt }));
  }

  requestsPerScan(): { deviceId: string; scanMs: number; requests: number; tags: number }[] {
    return this.groups.map((g) => ({ deviceId: g.driver.deviceId, scanMs: g.scanMs, requests: g.requestsPerScan, tags: g.values().length }));
  }

  async stop(): Promise<void> {
    for (const g of this.groups) g.stop();
    for (const u of this.unsubscribes) u();
    await Promise.all([...this.drivers.values()].map((d) => d.close()));
  }
}
