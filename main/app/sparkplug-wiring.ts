/**
 * The live Sparkplug B view in the runtime (docs/sparkplug.md): the project's `sparkplug:`
 * section as the edge node's options, its bdSeq kept in the runtime's SQLite. Null when the
 * section is off. The runtime feeds it the tag bus and closes it before the database.
 */
import { readFileSync } from 'node:fs';
import type Database from 'better-sqlite3';
import type { Project } from '../config/project-schema';
import { EdgeNode, type EdgeNodeOptions } from '../sparkplug/edge-node';
import type { MetricDef } from '../sparkplug/payloads';
import { SqliteBdSeqStore } from '../sparkplug/sequence';
import type { Clock } from '../util/clock';
import type { Logger } from '../util/log';

export interface SparkplugWiring {
  project: Project;
  db: Database.Database;
  clock: Clock;
  log: Logger;
}

/** The edge node's options from the project (null: the section is off). */
export function sparkplugOptionsOf(project: Project): EdgeNodeOptions | null {
  const s = project.sparkplug;
  if (!s.enabled || s.url === undefined) return null;
  const groupId = s.groupId ?? project.site;
  const edgeNodeId = s.edgeNodeId ?? project.line;
  const wanted = s.tags === undefined ? null : new Set(s.tags);
  const enabled = new Set(project.devices.filter((d) => d.enabled).map((d) => d.id));
  const metrics: MetricDef[] = project.tags
    .filter((t) => enabled.has(t.device) && (wanted === null || wanted.has(t.id)))
    .map((t) => ({ tagId: t.id, deviceId: t.device, dataType: t.dataType, units: t.units, description: t.description || (t.name ?? '') }));
  return {
    url: s.url,
    clientId: s.clientId ?? `lineside-sparkplug-${groupId}-${edgeNodeId}`.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 64),
    username: s.username,
    password: secret(s.password, s.passwordEnv),
    ca: readPem(s.tls?.ca),
    cert: readPem(s.tls?.cert),
    key: readPem(s.tls?.key),
    rejectUnauthorized: s.tls?.rejectUnauthorized ?? true,
    groupId,
    edgeNodeId,
    keepaliveS: s.keepaliveS,
    minPublishIntervalMs: s.minPublishIntervalMs,
    reconnectMs: Math.round(s.reconnectS * 1000),
    connectTimeoutMs: 10_000,
    metrics,
  };
}

export function createSparkplug(w: SparkplugWiring): EdgeNode | null {
  const options = sparkplugOptionsOf(w.project);
  if (options === null) return null;
  return new EdgeNode(options, { clock: w.clock, log: w.log, store: new SqliteBdSeqStore(w.db, `${options.groupId}/${options.edgeNodeId}`) });
}

function readPem(path: string | undefined): Buffer | undefined {
  return path === undefined ? undefined : readFileSync(path);
}

function secret(value: string | undefined, env: string | undefined): string | undefined {
  if (value !== undefined || env === undefined) return value;
  const v = process.env[env];
  if (v === undefined || v === '') throw new Error(`sparkplug: the environment variable ${env} is not set`);
  return v;
}
