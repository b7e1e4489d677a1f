import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { OpcUaBrowseNode } from '../../../shared/opcua';
import type { DeviceStatus } from '../../../shared/types';
import { useServices } from '../../state/services';
import { OBJECTS_NODE, visibleRows, type BrowseNodeRow, type BrowseRow, type NodeLoad } from './browse-tree';
import { copyShownText, type CopyOutcome } from './copy-text';
import { suggestTagId, yamlTagLine } from './opcua-format';
import { useEscapeKey } from '../../ui/useEscapeKey';
import { useFocusTrap } from '../../ui/useFocusTrap';

interface BrowsePanelProps {
  device: DeviceStatus;
  onClose: () => void;
}

interface Selected {
  key: string;
  node: OpcUaBrowseNode;
  names: string[];
}

/**
 * The address space of one OPC UA device, for picking tags: a tree from Objects, children
 * browsed when a node is opened, and for a variable its NodeId and a ready tag line.
 */
export function BrowsePanel({ device, onClose }: BrowsePanelProps) {
  const { client } = useServices();
  const [loads, setLoads] = useState<ReadonlyMap<string, NodeLoad>>(new Map());
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set([OBJECTS_NODE.nodeId]));
  const [selected, setSelected] = useState<Selected | null>(null);
  const alive = useRef(true);

  const load = useCallback(
    async (nodeId: string) => {
      setLoads((m) => new Map(m).set(nodeId, { status: 'loading' }));
      let next: NodeLoad;
      try {
        const r = await client.call('opcua.browse', nodeId === OBJECTS_NODE.nodeId ? { deviceId: device.deviceId } : { deviceId: device.deviceId, nodeId });
        next = { status: 'loaded', children: r.children, truncated: r.truncated };
      } catch (err) {
        next = { status: 'error', message: err instanceof Error ? err.message : String(err) };
      }
      if (alive.current) setLoads((m) => new Map(m).set(nodeId, next));
    },
    [client, device.deviceId],
  );

  useEffect(() => {
    alive.current = true;
    void load(OBJECTS_NODE.nodeId);
    return () => {
      alive.current = false;
    };
  }, [load]);

  useEscapeKey(onClose);
  const dialogRef = useRef<HTMLDivElement>(null);
  useFocusTrap(dialogRef);

  const toggle = (row: BrowseNodeRow) => {
    if (!row.expandable) return;
    const open = !row.expanded;
    setExpanded((s) => {
      const n = new Set(s);
      if (open) n.add(row.key);
      else n.delete(row.key);
      return n;
    });
    // Opening again after an error tries again; a loaded node keeps what it had.
    const known = loads.get(row.node.nodeId);
    if (open && (known === undefined || known.status === 'error')) void load(row.node.nodeId);
  };

  const rows = useMemo(() => visibleRows(loads, expanded), [loads, expanded]);

  return (
    <div className="modal-backdrop" role="presentation">
      <div ref={dialogRef} className="browse" role="dialog" aria-modal="true" aria-labelledby="browse-title" data-testid="opcua-browse" data-device-browse={device.deviceId}>
        <div className="browse__header">
          <h2 id="browse-title" className="browse__title">
            Browse {device.name}
          </h2>
          <span className="browse__endpoint">{device.endpoint}</span>
          <button type="button" className="toggle modal__big" data-testid="browse-close" onClick={onClose}>
            Close
          </button>
        </div>
        <div className="browse__body">
          <ul className="browse__tree" role="tree" aria-label={`Address space of ${device.name}`}>
            {rows.map((row) => (
              <BrowseTreeRow
                key={row.key}
                row={row}
                selectedKey={selected?.key ?? null}
                onToggle={toggle}
                onSelect={(r) => {
                  setSelected({ key: r.key, node: r.node, names: r.names });
                  if (r.node.nodeClass !== 'Variable') toggle(r);
                }}
                onRetry={(nodeId) => void load(nodeId)}
              />
            ))}
          </ul>
          <NodeDetails key={selected?.key ?? ''} deviceId={device.deviceId} selected={selected} />
        </div>
      </div>
    </div>
  );
}

const INDENT_PX = 30;

function BrowseTreeRow({
  row,
  selectedKey,
  onToggle,
  onSelect,
  onRetry,
}: {
  row: BrowseRow;
  selectedKey: string | null;
  onToggle: (row: BrowseNodeRow) => void;
  onSelect: (row: BrowseNodeRow) => void;
  onRetry: (nodeId: string) => void;
}) {
  const indent = { paddingLeft: `${8 + row.depth * INDENT_PX}px` };
  switch (row.kind) {
    case 'loading':
      return (
        <li className="browse-line browse-line--muted" style={indent} data-testid="browse-loading" role="none">
          Loading…
        </li>
      );
    case 'empty':
      return (
        <li className="browse-line browse-line--muted" style={indent} role="none">
          No children
        </li>
      );
    case 'truncated':
      return (
        <li className="browse-line browse-line--note" style={indent} data-testid="browse-truncated" role="none">
          Only the first {row.shown} children are shown: the server has more. Address the rest by NodeId.
        </li>
      );
    case 'error':
      return (
        <li className="browse-line browse-line--error" style={indent} data-testid="browse-error" role="none">
          <span className="browse-line__text">{row.message}</span>
          <button type="button" className="toggle" data-testid="browse-retry" onClick={() => onRetry(row.nodeId)}>
            Try again
          </button>
        </li>
      );
    case 'node': {
      const n = row.node;
      const isSelected = selectedKey === row.key;
      return (
        <li
          className={`browse-node${isSelected ? ' is-selected' : ''}`}
          style={indent}
          role="treeitem"
          aria-level={row.depth + 1}
          aria-expanded={row.expandable ? row.expanded : undefined}
          aria-selected={isSelected}
          data-testid="browse-node"
          data-node-id={n.nodeId}
          data-node-class={n.nodeClass}
        >
          {row.expandable ? (
            <button
              type="button"
              className="browse-node__toggle"
              data-testid="browse-toggle"
              aria-label={`${row.expanded ? 'Close' : 'Open'} ${n.displayName}`}
              onClick={() => onToggle(row)}
            >
              <span aria-hidden="true">{row.expanded ? '▾' : '▸'}</span>
            </button>
          ) : (
            <span className="browse-node__toggle browse-node__toggle--none" aria-hidden="true" />
          )}
          <button type="button" className="browse-node__main" data-testid="browse-select" onClick={() => onSelect(row)}>
            <span className="browse-node__name">{n.displayName || n.browseName}</span>
            <span className="browse-node__meta">
              {n.nodeClass}
              {n.dataType !== undefined && ` · ${n.dataType}`}
              {n.tagDataType !== undefined && ` → ${n.tagDataType}`}
              {n.nodeClass === 'Variable' && n.writable !== undefined && (n.writable ? ' · writable' : ' · read-only')}
            </span>
          </button>
        </li>
      );
    }
  }
}

function NodeDetails({ deviceId, selected }: { deviceId: string; selected: Selected | null }) {
  const nodeIdRef = useRef<HTMLElement>(null);
  const yamlRef = useRef<HTMLElement>(null);
  const [copied, setCopied] = useState<{ what: string; outcome: CopyOutcome } | null>(null);

  if (selected === null) {
    return (
      <aside className="browse__detail browse__detail--empty" data-testid="browse-detail">
        <p>Tap a folder to open it. Tap a variable to see its NodeId and a tag line for the project file.</p>
      </aside>
    );
  }
  const n = selected.node;
  const isVariable = n.nodeClass === 'Variable';
  const yaml = isVariable && n.tagDataType !== undefined ? yamlTagLine({ id: suggestTagId(selected.names), deviceId, nodeId: n.nodeId, dataType: n.tagDataType }) : null;
  const copy = async (what: string, text: string, el: HTMLElement | null) => setCopied({ what, outcome: await copyShownText(text, el) });

  return (
    <aside className="browse__detail" data-testid="browse-detail" data-node-id={n.nodeId}>
      <h3 className="browse__detail-title">{n.displayName || n.browseName}</h3>
      <dl className="browse__facts">
        <dt>Node class</dt>
        <dd data-testid="browse-node-class">{n.nodeClass}</dd>
        <dt>Browse name</dt>
        <dd>{n.browseName}</dd>
        {isVariable && (
          <>
            <dt>Data type</dt>
            <dd data-testid="browse-data-type">
              {n.dataType ?? '—'}
              {n.tagDataType !== undefined && <span className="browse__muted"> → project dataType {n.tagDataType}</span>}
            </dd>
            <dt>Writable</dt>
            <dd data-testid="browse-writable">{n.writable === undefined ? '—' : n.writable ? 'Yes' : 'No (read-only for this session)'}</dd>
          </>
        )}
      </dl>
      <div className="copy-field">
        <div className="copy-field__label">NodeId</div>
        <div className="copy-field__row">
          <code className="copy-field__text selectable" ref={nodeIdRef} data-testid="browse-nodeid">
            {n.nodeId}
          </code>
          <button type="button" className="toggle" data-testid="browse-copy-nodeid" onClick={() => void copy('NodeId', n.nodeId, nodeIdRef.current)}>
            Copy
          </button>
        </div>
      </div>
      {isVariable &&
        (yaml !== null ? (
          <div className="copy-field">
            <div className="copy-field__label">Tag line for the project file (under tags:)</div>
            <div className="copy-field__row">
              <code className="copy-field__text selectable" ref={yamlRef} data-testid="browse-yaml">
                {yaml}
              </code>
              <button type="button" className="toggle" data-testid="browse-copy-yaml" onClick={() => void copy('Tag line', yaml, yamlRef.current)}>
                Copy
              </button>
            </div>
          </div>
        ) : (
          <p className="browse__note" data-testid="browse-no-tag">
            No project dataType reads this node{n.dataType !== undefined ? ` (${n.dataType})` : ''}: only scalars of built-in types can be tags.
          </p>
        ))}
      <p className="browse__copied" role="status" data-testid="copy-outcome" data-outcome={copied?.outcome}>
        {copied === null ? '\u00a0' : copied.outcome === 'copied' ? `${copied.what} copied.` : `${copied.what} selected: press Ctrl+C to copy it.`}
      </p>
    </aside>
  );
}
