import { useMemo } from 'react';
import type { DeviceStatus, TagInfo } from '../../../shared/types';
import { groupTagsByDevice } from './group-tags';
import { TagRow } from './TagRow';

interface OverviewTableProps {
  tags: TagInfo[] | null;
  devices: DeviceStatus[];
  selectedTagId: string | null;
  onSelect: (tagId: string) => void;
}

export function OverviewTable({ tags, devices, selectedTagId, onSelect }: OverviewTableProps) {
  const groups = useMemo(() => groupTagsByDevice(tags ?? [], devices), [tags, devices]);
  return (
    <section className="panel overview" aria-label="Overview">
      <div className="panel__header">
        <h2 className="panel__title">Overview</h2>
      </div>
      {tags === null ? (
        <p className="panel__empty">Loading tags…</p>
      ) : tags.length === 0 ? (
        <p className="panel__empty">This project has no tags.</p>
      ) : (
        <div className="overview__scroll">
          <table className="overview-table" data-testid="overview-table">
            <thead>
              <tr>
                <th scope="col" className="cell-tag">Tag</th>
                <th scope="col" className="cell-value">Value</th>
                <th scope="col" className="cell-units">Units</th>
                <th scope="col" className="cell-quality">Quality</th>
                <th scope="col" className="cell-age">Age</th>
                <th scope="col" className="cell-action">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            {groups.map((group) => (
              <tbody key={group.deviceId} data-device-group={group.deviceId}>
                <tr className="group-row">
                  <th scope="colgroup" colSpan={6}>
                    {group.deviceName}
                    {group.deviceName !== group.deviceId && <span className="group-row__id">{group.deviceId}</span>}
                  </th>
                </tr>
                {group.tags.map((tag) => (
                  <TagRow key={tag.id} tag={tag} selected={tag.id === selectedTagId} onSelect={onSelect} />
                ))}
              </tbody>
            ))}
          </table>
        </div>
      )}
    </section>
  );
}
