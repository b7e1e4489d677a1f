/**
 * Store-and-forward in the runtime: the project's `sync:` section as the sync's options, and
 * the streams wired in — the alarm journal and the audit trail read by their ids, the
 * historian's sample outbox. The sync knows none of these modules (layering); this file does.
 */
import type Database from 'better-sqlite3';
import type { Project } from '../config/project-schema';
import type { Historian } from '../historian/historian';
import { defaultSyncOptions, SyncService, type SyncOptions } from '../sync/sync-service';
import { TableSource, type StreamSource } from '../sync/sources';
import type { Clock } from '../util/clock';
import type { Logger } from '../util/log';

export function syncOptionsOf(project: Project): SyncOptions {
  const s = project.sync;
  return {
    ...defaultSyncOptions,
    site: project.site,
    line: project.line,
    sinks: s.sinks,
    outboxQuotaBytes: s.outboxQuotaMB === null ? null : Math.round(s.outboxQuotaMB * 1024 * 1024),
    bandwidthBytesPerSecond: s.bandwidthBytesPerSecond,
    batchMaxRecords: s.batchMaxRecords,
    batchMaxBytes: s.batchMaxBytes,
    liveWindowMs: s.liveWindowS * 1000,
    ackTimeoutMs: s.ackTimeoutS * 1000,
    maxAckTimeoutMs: s.ackTimeoutS * 10_000,
    backoff: { initialMs: s.retry.initialS * 1000, maxMs: s.retry.maxS * 1000 },
    alertOfflineMs: s.alertOfflineS * 1000,
    alertBacklogAgeMs: s.alertBacklogAgeS * 1000,
  };
}

/** Whether any sink carries samples: then the historian keeps its sample outbox. */
export function syncCarriesSamples(project: Project): boolean {
  return project.sync.sinks.some((s) => s.streams.includes('sample'));
}

export interface SyncWiring {
  project: Project;
  db: Database.Database;
  historian: Historian;
  clock: Clock;
  log: Logger;
}

/** Builds the sync (after the alarm service and the audit trail made their tables). */
export function createSync(w: SyncWiring): SyncService {
  const tables: StreamSource[] = [
    new TableSource(w.db, { stream: 'alarm', table: 'alarm_journal', jsonColumns: ['value'] }),
    new TableSource(w.db, { stream: 'audit', table: 'audit', jsonColumns: ['old_value', 'new_value'] }),
    // work-instruction runs: each start, step result and end, appended as the run goes (run-store.ts)
    new TableSource(w.db, { stream: 'instruction', table: 'instruction_record', jsonColumns: ['payload'] }),
    // maintenance requests and downtime events: each change, appended as it is stored (production-store.ts)
    new TableSource(w.db, { stream: 'maintenance', table: 'maintenance_record', jsonColumns: ['payload'] }),
    new TableSource(w.db, { stream: 'downtime', table: 'downtime_record', jsonColumns: ['payload'] }),
  ];
  return new SyncService({
    db: w.db,
    clock: w.clock,
    log: w.log,
    options: syncOptionsOf(w.project),
    tables,
    sampleOutbox: w.historian.sampleOutbox(),
  });
}
