/**
 * Where a stream's records come from. The sync reads every stream by sequence number; it does
 * not know the modules that produce them (layering: the app wires sources in).
 *
 * - **Append-only tables** (alarm journal, audit trail, the sync's own events): the row's
 *   INTEGER PRIMARY KEY id is the sequence number. It is assigned in the transaction that
 *   stores the record, dense (rows are never deleted; a rolled-back insert leaves no hole that
 *   anyone saw), and the table *is* the outbox: a record "leaves" it when the sink's
 *   acknowledged position passes it. Nothing is written twice. See docs/sync.md for why, and
 *   the high-water guard (sync-store.ts) against a table that went backwards.
 * - **Samples**: the historian's sample outbox (numbered committed batches), read through
 *   `SampleOutbox`, which main/historian's SampleOutboxReader implements.
 */
import type Database from 'better-sqlite3';
import { decodeQuality } from '../../shared/quality';
import type { StreamName } from './wire';

/** One record ready to send: its number, its time, and its JSON text (which carries `seq`). */
export interface SourceRecord {
  seq: number;
  ts: number;
  json: string;
}

export interface StreamSource {
  readonly stream: StreamName;
  /** the highest sequence number given so far (0: none yet) */
  head(): number;
  /** the lowest sequence number still readable (head + 1 when none is) */
  lowest(): number;
  /**
   * Records with from ≤ seq ≤ to in order, at most `maxRecords` and about `maxBytes` of JSON
   * (at least one record when there is one). Numbers no longer readable are skipped: the
   * caller sees the hole.
   */
  read(from: number, to: number, maxRecords: number, maxBytes: number): SourceRecord[];
  /** when the record was stored (for the backlog's age); null when it is not readable */
  timeOf(seq: number): number | null;
  /** the first sequence number stored at or after t; null when none (the live lane starts there) */
  firstSeqSince?(t: number): number | null;
}

/** What the sync needs of the historian's sample outbox (main/historian/sample-outbox.ts). */
export interface SampleOutbox {
  head(): number;
  lowest(): number | null;
  firstSeqSince(t: number): number | null;
  committedAt(seq: number): number | null;
  totals(): { bytes: number; rows: number };
  read(from: number, to: number, max: number): OutboxSampleRecord[];
  deleteThrough(seq: number): number;
  dropOldest(bytes: number): { first: number; last: number; n: number; tMin: number; tMax: number; bytes: number } | null;
}

export interface OutboxSampleRecord {
  seq: number;
  tag: string;
  ts: number;
  sourceTs: number;
  value: number | boolean | string | null;
  quality: number;
}

const snake = /_([a-z])/g;
function camel(name: string): string {
  return name.replace(snake, (_m, c: string) => c.toUpperCase());
}

export interface TableSourceOptions {
  stream: StreamName;
  table: string;
  /** the INTEGER PRIMARY KEY column: the sequence number (default `id`) */
  idColumn?: string;
  /** the record's time column, epoch ms (default `ts`) */
  tsColumn?: string;
  /** columns holding JSON text, sent as JSON values */
  jsonColumns?: readonly string[];
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * An append-only table read by its id. Every column but the id goes into the record, named in
 * camelCase, with `seq` = the id.
 */
export class TableSource implements StreamSource {
  readonly stream: StreamName;
  private readonly sql;
  private readonly jsonColumns: Set<string>;
  private readonly idColumn: string;

  constructor(db: Database.Database, o: TableSourceOptions) {
    const id = o.idColumn ?? 'id';
    const ts = o.tsColumn ?? 'ts';
    for (const name of [o.table, id, ts]) if (!IDENT.test(name)) throw new Error(`not an SQL identifier: ${name}`);
    this.stream = o.stream;
    this.idColumn = id;
    this.jsonColumns = new Set(o.jsonColumns ?? []);
    this.sql = {
      head: db.prepare(`SELECT coalesce(MAX(${id}), 0) FROM ${o.table}`).pluck(),
      lowest: db.prepare(`SELECT MIN(${id}) FROM ${o.table}`).pluck(),
      read: db.prepare(`SELECT * FROM ${o.table} WHERE ${id} >= ? AND ${id} <= ? ORDER BY ${id} LIMIT ?`),
      time: db.prepare(`SELECT ${ts} FROM ${o.table} WHERE ${id} = ?`).pluck(),
      tsColumn: ts,
    };
  }

  head(): number {
    return this.sql.head.get() as number;
  }

  lowest(): number {
    return (this.sql.lowest.get() as number | null) ?? this.head() + 1;
  }

  read(from: number, to: number, maxRecords: number, maxBytes: number): SourceRecord[] {
    const out: SourceRecord[] = [];
    let bytes = 0;
    for (const row of this.sql.read.iterate(from, to, maxRecords) as Iterable<Record<string, unknown>>) {
      const seq = row[this.idColumn] as number;
      const rec: Record<string, unknown> = { seq };
      for (const [k, v] of Object.entries(row)) {
        if (k === this.idColumn) continue;
        rec[camel(k)] = this.jsonColumns.has(k) && typeof v === 'string' ? parseJson(v) : v;
      }
      const json = JSON.stringify(rec);
      if (out.length > 0 && bytes + json.length + 1 > maxBytes) break;
      bytes += json.length + 1;
      out.push({ seq, ts: Number(row[this.sql.tsColumn] ?? 0), json });
    }
    return out;
  }

  timeOf(seq: number): number | null {
    return (this.sql.time.get(seq) as number | undefined) ?? null;
  }
}

function parseJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

/** `good`, `uncertain/stale`, `bad/comm_failure`: the quality as upstream sees it. */
export function qualityText(code: number): string {
  const q = decodeQuality(code);
  return q.reason === 'ok' ? q.level : `${q.level}/${q.reason}`;
}

/** A sample as a record: `{seq, tag, ts, sourceTs, value, quality}` (non-finite numbers as text in `number`). */
export function sampleJson(s: OutboxSampleRecord): string {
  const v = s.value;
  if (typeof v === 'number' && !Number.isFinite(v)) {
    return JSON.stringify({ seq: s.seq, tag: s.tag, ts: s.ts, sourceTs: s.sourceTs, value: null, number: String(v), quality: qualityText(s.quality) });
  }
  return JSON.stringify({ seq: s.seq, tag: s.tag, ts: s.ts, sourceTs: s.sourceTs, value: v, quality: qualityText(s.quality) });
}

/** The sample stream, read from the historian's outbox. */
export class SampleSource implements StreamSource {
  readonly stream = 'sample' as const;
  constructor(readonly outbox: SampleOutbox) {}

  head(): number {
    return this.outbox.head();
  }

  lowest(): number {
    return this.outbox.lowest() ?? this.outbox.head() + 1;
  }

  read(from: number, to: number, maxRecords: number, maxBytes: number): SourceRecord[] {
    const out: SourceRecord[] = [];
    let bytes = 0;
    const start = Math.max(from, this.lowest());
    for (const s of this.outbox.read(start, to, maxRecords)) {
      const json = sampleJson(s);
      if (out.length > 0 && bytes + json.length + 1 > maxBytes) break;
      bytes += json.length + 1;
      out.push({ seq: s.seq, ts: s.ts, json });
    }
    return out;
  }

  timeOf(seq: number): number | null {
    return this.outbox.committedAt(seq);
  }

  firstSeqSince(t: number): number | null {
    return this.outbox.firstSeqSince(t);
  }
}
