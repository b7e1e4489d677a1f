/**
 * The Browse panel's tree as rows on screen. Pure: which nodes are expanded and what each browse
 * answered go in, the visible rows (nodes and their loading / error / truncated lines) come out.
 * A node is identified on screen by its path of NodeIds, since the address space is a graph and
 * one node may be reached along several paths.
 */
import type { OpcUaBrowseNode } from '../../../shared/opcua';
import { canHaveChildren } from './opcua-format';

/** where browsing starts (the API's default): the Objects folder */
export const OBJECTS_NODE: OpcUaBrowseNode = { nodeId: 'ns=0;i=85', browseName: '0:Objects', displayName: 'Objects', nodeClass: 'Object' };

export type NodeLoad =
  | { status: 'loading' }
  | { status: 'loaded'; children: OpcUaBrowseNode[]; truncated: boolean }
  | { status: 'error'; message: string };

export interface BrowseNodeRow {
  kind: 'node';
  key: string;
  depth: number;
  node: OpcUaBrowseNode;
  /** display names from below Objects down to this node (for a suggested tag id) */
  names: string[];
  expanded: boolean;
  /** false for leaves by class, and for a node already on its own path (a cycle) */
  expandable: boolean;
}

export type BrowseRow =
  | BrowseNodeRow
  | { kind: 'loading' | 'empty'; key: string; depth: number }
  | { kind: 'error'; key: string; depth: number; nodeId: string; message: string }
  | { kind: 'truncated'; key: string; depth: number; shown: number };

const SEP = '\u001f';

export function childKey(parentKey: string, nodeId: string): string {
  return parentKey === '' ? nodeId : `${parentKey}${SEP}${nodeId}`;
}

export function visibleRows(loads: ReadonlyMap<string, NodeLoad>, expanded: ReadonlySet<string>, root: OpcUaBrowseNode = OBJECTS_NODE): BrowseRow[] {
  const rows: BrowseRow[] = [];
  const visit = (node: OpcUaBrowseNode, key: string, depth: number, names: string[], onPath: ReadonlySet<string>) => {
    const expandable = canHaveChildren(node.nodeClass) && !onPath.has(node.nodeId);
    const isOpen = expandable && expanded.has(key);
    rows.push({ kind: 'node', key, depth, node, names, expanded: isOpen, expandable });
    if (!isOpen) return;
    const load = loads.get(node.nodeId);
    const inner = depth + 1;
    if (load === undefined || load.status === 'loading') {
      rows.push({ kind: 'loading', key: `${key}${SEP}#loading`, depth: inner });
      return;
    }
    if (load.status === 'error') {
      rows.push({ kind: 'error', key: `${key}${SEP}#error`, depth: inner, nodeId: node.nodeId, message: load.message });
      return;
    }
    if (load.children.length === 0) rows.push({ kind: 'empty', key: `${key}${SEP}#empty`, depth: inner });
    const path = new Set(onPath).add(node.nodeId);
    for (const child of load.children) visit(child, childKey(key, child.nodeId), inner, [...names, child.displayName || child.browseName], path);
    if (load.truncated) rows.push({ kind: 'truncated', key: `${key}${SEP}#truncated`, depth: inner, shown: load.children.length });
  };
  visit(root, root.nodeId, 0, [], new Set());
  return rows;
}
