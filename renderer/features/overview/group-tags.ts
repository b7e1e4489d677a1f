import type { DeviceStatus, TagInfo } from '../../../shared/types';

export interface TagGroup {
  deviceId: string;
  deviceName: string;
  tags: TagInfo[];
}

/** Tags grouped by device, devices in first-appearance order, tags in project order. O(n). */
export function groupTagsByDevice(tags: readonly TagInfo[], devices: readonly DeviceStatus[]): TagGroup[] {
  const names = new Map(devices.map((d) => [d.deviceId, d.name]));
  const groups = new Map<string, TagGroup>();
  for (const tag of tags) {
    let group = groups.get(tag.deviceId);
    if (group === undefined) {
      group = { deviceId: tag.deviceId, deviceName: names.get(tag.deviceId) ?? tag.deviceId, tags: [] };
      groups.set(tag.deviceId, group);
    }
    group.tags.push(tag);
  }
  return [...groups.values()];
}
