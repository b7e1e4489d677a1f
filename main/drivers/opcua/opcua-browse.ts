/**
 * Browsing the server's address space, for picking tags: the hierarchical children of one node,
 * with what a tag needs (NodeId as written in `address`, data type, writability).
 */
import {
  AccessLevelFlag,
  AttributeIds,
  BrowseDirection,
  DataType,
  NodeClass,
  resolveNodeId,
  type ClientSession,
  type DataValue,
  type ReferenceDescription,
} from 'node-opcua';
import type { OpcUaBrowseNode, OpcUaBrowseResult, OpcUaNodeClass } from '../../../shared/opcua';
import type { Clock } from '../../util/clock';
import { TAG_TYPE_FOR } from './data-value-reading';
import { withTimeout } from './opcua-errors';

/** where browsing starts when no node is given: the Objects folder */
export const OBJECTS_FOLDER = 'ns=0;i=85';

/** more children than an engineer scrolls through; the rest is cut off and said so */
export const MAX_CHILDREN = 5000;

const RESULT_MASK_ALL = 0x3f;

export class InvalidNodeId extends Error {
  constructor(readonly nodeId: string) {
    super(`"${nodeId}" is not a NodeId (expected e.g. ns=1;s=Line1 or i=85)`);
    this.name = 'InvalidNodeId';
  }
}

export async function browseChildren(
  session: ClientSession,
  deviceId: string,
  nodeId: string | undefined,
  timeoutMs: number,
  clock: Clock,
): Promise<OpcUaBrowseResult> {
  const start = nodeId ?? OBJECTS_FOLDER;
  try {
    resolveNodeId(start);
  } catch {
    throw new InvalidNodeId(start);
  }
  const first = await withTimeout(
    session.browse({
      nodeId: start,
      browseDirection: BrowseDirection.Forward,
      referenceTypeId: 'HierarchicalReferences',
      includeSubtypes: true,
      nodeClassMask: 0,
      resultMask: RESULT_MASK_ALL,
    }),
    timeoutMs,
    `browse of ${start}`,
    clock,
  );
  if (first.statusCode.isNotGood()) throw new Error(`the server refused to browse ${start}: ${first.statusCode.name}`);
  const refs: ReferenceDescription[] = [...(first.references ?? [])];
  let cp = first.continuationPoint;
  while (cp && cp.length > 0 && refs.length < MAX_CHILDREN) {
    const next = await withTimeout(session.browseNext(cp, false), timeoutMs, `browse of ${start} (continued)`, clock);
    refs.push(...(next.references ?? []));
    cp = next.continuationPoint;
  }
  const truncated = refs.length > MAX_CHILDREN || (cp !== null && cp !== undefined && cp.length > 0);
  if (cp && cp.length > 0) await session.browseNext(cp, true).catch(() => undefined);
  const kept = refs.slice(0, MAX_CHILDREN);

  const children: OpcUaBrowseNode[] = kept.map((r) => ({
    nodeId: r.nodeId.toString(),
    browseName: r.browseName.toString(),
    displayName: r.displayName.text ?? r.browseName.name ?? '',
    nodeClass: nodeClassName(r.nodeClass),
  }));
  const variables = children.map((c, i) => ({ c, r: kept[i] })).filter(({ r }) => r.nodeClass === NodeClass.Variable);
  if (variables.length > 0) await describeVariables(session, variables, timeoutMs, clock);
  return { deviceId, nodeId: start, children, truncated };
}

/** Data type, value rank and the user's access level of every variable, in one Read. */
async function describeVariables(
  session: ClientSession,
  variables: { c: OpcUaBrowseNode; r: ReferenceDescription }[],
  timeoutMs: number,
  clock: Clock,
): Promise<void> {
  const attributes = [AttributeIds.DataType, AttributeIds.ValueRank, AttributeIds.UserAccessLevel];
  const dvs: DataValue[] = await withTimeout(
    session.read(variables.flatMap(({ r }) => attributes.map((attributeId) => ({ nodeId: r.nodeId.toString(), attributeId })))),
    timeoutMs,
    `read of ${variables.length} variables' attributes`,
    clock,
  );
  const unknownTypes = new Map<string, OpcUaBrowseNode[]>();
  variables.forEach(({ c }, i) => {
    const [typeDv, rankDv, accessDv] = dvs.slice(i * attributes.length, (i + 1) * attributes.length);
    const scalar = rankDv?.statusCode.isGood() ? rankDv.value.value === -1 : true;
    const access = accessDv?.statusCode.isGood() ? Number(accessDv.value.value) : null;
    if (access !== null) c.writable = (access & AccessLevelFlag.CurrentWrite) !== 0;
    if (!typeDv?.statusCode.isGood() || !typeDv.value.value) return;
    const typeId = typeDv.value.value as { namespace: number; value: unknown; toString(): string };
    const builtIn = typeId.namespace === 0 && typeof typeId.value === 'number' && typeId.value <= 25 ? (typeId.value as DataType) : null;
    if (builtIn !== null && DataType[builtIn] !== undefined) {
      c.dataType = DataType[builtIn];
      const tagType = TAG_TYPE_FOR[builtIn];
      if (tagType && scalar) c.tagDataType = tagType;
      return;
    }
    const key = typeId.toString();
    unknownTypes.set(key, [...(unknownTypes.get(key) ?? []), c]);
  });
  if (unknownTypes.size === 0) return;
  // Enumerations and structures: name them by their DataType node's browse name.
  const keys = [...unknownTypes.keys()];
  const names = await withTimeout(
    session.read(keys.map((nodeId) => ({ nodeId, attributeId: AttributeIds.BrowseName }))),
    timeoutMs,
    'read of data type names',
    clock,
  ).catch(() => [] as DataValue[]);
  keys.forEach((k, i) => {
    const name = names[i]?.statusCode.isGood() ? (names[i].value.value as { name?: string } | null)?.name : undefined;
    for (const c of unknownTypes.get(k)!) c.dataType = name ?? k;
  });
}

function nodeClassName(nc: NodeClass): OpcUaNodeClass {
  const name = NodeClass[nc] as OpcUaNodeClass | undefined;
  return name ?? 'Unspecified';
}
