import type { Project, TagConfig } from '../config/project-schema';
import type { AcquiredTag } from '../acquisition/scan-group';
import type { WritableTag } from '../acquisition/write-service';
import type { TagInfo } from '../../shared/types';

export function toTagInfo(project: Project): TagInfo[] {
  return project.tags.map((t) => ({
    id: t.id,
    name: t.name ?? t.id,
    description: t.description,
    deviceId: t.device,
    dataType: t.dataType,
    units: t.units,
    scanMs: t.scanMs,
    min: t.min,
    max: t.max,
    normalLow: t.normal?.low,
    normalHigh: t.normal?.high,
    decimals: t.decimals,
    ...(t.states !== undefined ? { states: t.states } : {}),
    ...(t.labels !== undefined ? { labels: t.labels } : {}),
    writable: t.writable,
    ...(t.writable && t.writeArea !== undefined ? { writeArea: t.writeArea } : {}),
    address: t.address,
  }));
}

export function toAcquiredTag(t: TagConfig): AcquiredTag {
  return {
    id: t.id,
    deviceId: t.device,
    scanMs: t.scanMs,
    driverTag: { tagId: t.id, address: t.address, dataType: t.dataType, wordOrder: t.wordOrder, length: t.length, samplingMs: t.scanMs, opcuaDeadband: t.opcuaDeadband },
    scaling: t.scaling,
  };
}

export function toWritableTag(t: TagConfig): WritableTag {
  return { ...toAcquiredTag(t), writable: t.writable, min: t.min, max: t.max };
}
