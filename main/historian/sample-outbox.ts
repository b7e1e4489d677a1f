/**
 * The sample outbox: every committed writer batch, numbered, for store-and-forward upstream.
 *
 * Samples get their sequence numbers **in the writer's transaction that stores them**: a batch
 * of n samples takes the numbers [next, next + n) from a counter kept in the same file, and its
 * samples are kept here, compressed, under those numbers until every sink has acknowledged them.
 * So the numbering is dense, never reused (the counter only grows, and rolls back with a failed
 * commit), and does not depend on where the samples later live in the historian: compaction
 * moving hot rows into chunks, a late sample landing between older ones, a later sample
 * replacing one at the same (tag, ts), retention by age — none of them touches this table.
 *
 * Within a batch, numbers are given in the order (tag id, ts, arrival), which is the order the
 * compressed form stores them in: tag by tag, each run encoded by the chunk codec.
 *
 * Written only when enabled (a sink carries samples); the sync reads it from the main
 * connection and deletes rows once acknowledged (docs/sync.md).
 */
import type Database from 'better-sqlite3';
import type { TagScalar } from '../../shared/types';
import { applyModuleMigrations, type ModuleMigration } from '../util/module-migrations';
import { ChunkEncodeError, decodeChunk, encodeChunk } from './chunk-codec';
import { emptyColumns, setValue, valueAt, type SampleColumns, type TaggedBatch } from './samples';

export const SAMPLE_OUTBOX_MODULE = 'sample-outbox';

const migrations: ModuleMigration<Database.Database>[] = [
  (db) => {
    db.exec(`
      -- one row per committed writer batch: samples [first_seq, first_seq + n)
      CREATE TABLE sample_outbox (
        first_seq    INTEGER PRIMARY KEY,
        n            INTEGER NOT NULL,
        t_min        INTEGER NOT NULL,
        t_max        INTEGER NOT NULL,
        committed_at INTEGER NOT NULL,
        bytes        INTEGER NOT NULL,
        data         BLOB NOT NULL
      );
      CREATE INDEX sample_outbox_committed ON sample_outbox (committed_at);
      -- the next sequence number (only ever grows: rows are deleted, numbers are not reused),
      -- and the rows' total size, kept with every insert and delete (the quota reads it)
      CREATE TABLE sample_outbox_seq (
        id       INTEGER PRIMARY KEY CHECK (id = 1),
        next_seq INTEGER NOT NULL,
        bytes    INTEGER NOT NULL,
        rows     INTEGER NOT NULL
      );
      INSERT INTO sample_outbox_seq (id, next_seq, bytes, rows) VALUES (1, 1, 0, 0);
    `);
  },
];

/** Creates the outbox tables (on the main connection, before the writer starts). */
export function migrateSampleOutbox(db: Database.Database): void {
  applyModuleMigrations(db, SAMPLE_OUTBOX_MODULE, migrations);
}

export function sampleOutboxExists(db: Database.Database): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sample_outbox'").get() !== undefined;
}

// --- encoding ----------------------------------------------------------------------------------

const FORMAT = 1;
const Encoding = { Chunk: 0, Json: 1 } as const;

class ByteWriter {
  private buf = Buffer.alloc(1024);
  length = 0;
  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }
  byte(x: number): void {
    this.ensure(1);
    this.buf[this.length++] = x;
  }
  varuint(x: number): void {
    while (x >= 0x80) {
      this.byte((x % 0x80) | 0x80);
      x = Math.floor(x / 0x80);
    }
    this.byte(x);
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  finish(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

class ByteReader {
  pos = 0;
  constructor(private readonly buf: Uint8Array) {}
  byte(): number {
    if (this.pos >= this.buf.length) throw new RangeError('sample outbox row is truncated');
    return this.buf[this.pos++];
  }
  varuint(): number {
    let x = 0;
    let mul = 1;
    for (;;) {
      const b = this.byte();
      x += (b & 0x7f) * mul;
      if (b < 0x80) return x;
      mul *= 0x80;
    }
  }
  bytes(n: number): Uint8Array {
    if (this.pos + n > this.buf.length) throw new RangeError('sample outbox row is truncated');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

export interface EncodedOutboxBatch {
  data: Buffer;
  n: number;
  tMin: number;
  tMax: number;
}

/** One tag's samples of a batch, in sequence order. */
export interface OutboxGroup {
  tag: number;
  samples: SampleColumns;
}

/** Groups a batch by tag (ascending), each group by ts then arrival: the sequence order. */
function groupBatch(b: TaggedBatch): { tag: number; idx: number[] }[] {
  const byTag = new Map<number, number[]>();
  for (let i = 0; i < b.length; i++) {
    let list = byTag.get(b.tag[i]);
    if (!list) byTag.set(b.tag[i], (list = []));
    list.push(i);
  }
  const groups = [...byTag].sort((x, y) => x[0] - y[0]).map(([tag, idx]) => ({ tag, idx }));
  for (const g of groups) {
    let sorted = true;
    for (let k = 1; k < g.idx.length; k++) if (b.ts[g.idx[k]] < b.ts[g.idx[k - 1]]) sorted = false;
    if (!sorted) g.idx.sort((x, y) => b.ts[x] - b.ts[y] || x - y);
  }
  return groups;
}

function columnsOf(b: TaggedBatch, idx: readonly number[]): SampleColumns {
  const c = emptyColumns(idx.length, b.str !== null);
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k];
    c.ts[k] = b.ts[i];
    c.sourceTs[k] = b.sourceTs[i];
    c.quality[k] = b.quality[i];
    c.kind[k] = b.kind[i];
    c.num[k] = b.num[i];
    if (c.str && b.str) c.str[k] = b.str[i];
  }
  c.length = idx.length;
  return c;
}

export function encodeOutboxBatch(b: TaggedBatch): EncodedOutboxBatch {
  const w = new ByteWriter();
  w.byte(FORMAT);
  const groups = groupBatch(b);
  w.varuint(groups.length);
  let tMin = Infinity;
  let tMax = -Infinity;
  for (let i = 0; i < b.length; i++) {
    if (b.ts[i] < tMin) tMin = b.ts[i];
    if (b.ts[i] > tMax) tMax = b.ts[i];
  }
  for (const g of groups) {
    const c = columnsOf(b, g.idx);
    let encoding: number = Encoding.Chunk;
    let payload: Uint8Array;
    try {
      payload = encodeChunk(c);
    } catch (err) {
      if (!(err instanceof ChunkEncodeError)) throw err;
      // Timestamps the codec cannot hold (not whole ms, out of range): kept as JSON instead.
      encoding = Encoding.Json;
      const rows: [number, number, number, TagScalar | null, boolean][] = [];
      for (let k = 0; k < c.length; k++) {
        const v = valueAt(c, k);
        rows.push([c.ts[k], c.sourceTs[k], c.quality[k], typeof v === 'number' && !Number.isFinite(v) ? String(v) : v, typeof v === 'number' && !Number.isFinite(v)]);
      }
      payload = Buffer.from(JSON.stringify(rows));
    }
    w.varuint(g.tag);
    w.varuint(c.length);
    w.byte(encoding);
    w.varuint(payload.length);
    w.bytes(payload);
  }
  return { data: w.finish(), n: b.length, tMin: b.length > 0 ? tMin : 0, tMax: b.length > 0 ? tMax : 0 };
}

export function decodeOutboxBatch(data: Uint8Array): OutboxGroup[] {
  const r = new ByteReader(data);
  const format = r.byte();
  if (format !== FORMAT) throw new RangeError(`unknown sample outbox format ${format}`);
  const count = r.varuint();
  const out: OutboxGroup[] = [];
  for (let g = 0; g < count; g++) {
    const tag = r.varuint();
    const n = r.varuint();
    const encoding = r.byte();
    const payload = r.bytes(r.varuint());
    let samples: SampleColumns;
    if (encoding === Encoding.Chunk) samples = decodeChunk(payload);
    else {
      const rows = JSON.parse(Buffer.from(payload).toString('utf8')) as [number, number, number, TagScalar | null, boolean][];
      samples = emptyColumns(rows.length);
      rows.forEach(([ts, sourceTs, quality, value, special], k) => {
        samples.ts[k] = ts;
        samples.sourceTs[k] = sourceTs;
        samples.quality[k] = quality;
        setValue(samples, k, special ? Number(value) : value);
      });
      samples.length = rows.length;
    }
    if (samples.length !== n) throw new RangeError(`sample outbox group of tag ${tag}: ${samples.length} samples, expected ${n}`);
    out.push({ tag, samples });
  }
  return out;
}

// --- writing (the writer's connection, inside its batch transaction) ----------------------------

export class SampleOutboxWriter {
  private readonly nextSeq;
  private readonly bump;
  private readonly insert;

  constructor(db: Database.Database) {
    this.nextSeq = db.prepare('SELECT next_seq FROM sample_outbox_seq WHERE id = 1').pluck();
    this.bump = db.prepare('UPDATE sample_outbox_seq SET next_seq = ?, bytes = bytes + ?, rows = rows + 1 WHERE id = 1');
    this.insert = db.prepare('INSERT INTO sample_outbox (first_seq, n, t_min, t_max, committed_at, bytes, data) VALUES (?, ?, ?, ?, ?, ?, ?)');
  }

  /** Numbers and keeps a batch. Must run inside the transaction that stores the batch's samples. */
  append(b: TaggedBatch, committedAt: number): number {
    if (b.length === 0) return 0;
    const enc = encodeOutboxBatch(b);
    const first = this.nextSeq.get() as number;
    this.insert.run(first, enc.n, enc.tMin, enc.tMax, Math.round(committedAt), enc.data.length, enc.data);
    this.bump.run(first + enc.n, enc.data.length);
    return first;
  }
}

// --- reading (the main connection) --------------------------------------------------------------

/** One sample as the outbox gives it back, with its sequence number. */
export interface OutboxSample {
  seq: number;
  tag: string;
  ts: number;
  sourceTs: number;
  /** null for a gap marker; NaN and ±Infinity come back as numbers */
  value: TagScalar | null;
  /** encodeQuality of shared/quality.ts */
  quality: number;
}

/** Samples dropped from the outbox (quota): the range, how many, their time span. */
export interface OutboxDropped {
  first: number;
  last: number;
  n: number;
  tMin: number;
  tMax: number;
  bytes: number;
}

interface OutboxRow {
  first_seq: number;
  n: number;
  t_min: number;
  t_max: number;
  committed_at: number;
  bytes: number;
}

interface DecodedRow {
  first: number;
  n: number;
  /** per position in the row: the group and index within it */
  groups: OutboxGroup[];
  offsets: number[];
}

export class SampleOutboxReader {
  private readonly sql;
  private readonly cache: DecodedRow[] = [];

  constructor(
    private readonly db: Database.Database,
    private readonly tagName: (id: number) => string,
  ) {
    this.sql = {
      head: db.prepare('SELECT next_seq - 1 FROM sample_outbox_seq WHERE id = 1').pluck(),
      lowest: db.prepare('SELECT MIN(first_seq) FROM sample_outbox').pluck(),
      rowAt: db.prepare('SELECT first_seq, n, t_min, t_max, committed_at, bytes FROM sample_outbox WHERE first_seq <= ? ORDER BY first_seq DESC LIMIT 1'),
      data: db.prepare('SELECT data FROM sample_outbox WHERE first_seq = ?').pluck(),
      since: db.prepare('SELECT MIN(first_seq) FROM sample_outbox WHERE committed_at >= ?').pluck(),
      total: db.prepare('SELECT bytes, rows FROM sample_outbox_seq WHERE id = 1'),
      sumThrough: db.prepare('SELECT coalesce(SUM(bytes), 0) AS bytes, COUNT(*) AS rows FROM sample_outbox WHERE first_seq + n - 1 <= ?'),
      shrink: db.prepare('UPDATE sample_outbox_seq SET bytes = bytes - ?, rows = rows - ? WHERE id = 1'),
      oldest: db.prepare('SELECT first_seq, n, t_min, t_max, committed_at, bytes FROM sample_outbox ORDER BY first_seq LIMIT ?'),
      deleteThrough: db.prepare('DELETE FROM sample_outbox WHERE first_seq + n - 1 <= ?'),
      deleteRow: db.prepare('DELETE FROM sample_outbox WHERE first_seq = ?'),
    };
  }

  /** The highest sequence number given so far (0 before the first batch). */
  head(): number {
    return (this.sql.head.get() as number | undefined) ?? 0;
  }

  /** The lowest sequence number still kept, or null when the outbox is empty. */
  lowest(): number | null {
    return this.sql.lowest.get() as number | null;
  }

  /** The first sequence number of the batches committed at or after t, or null. */
  firstSeqSince(t: number): number | null {
    return this.sql.since.get(t) as number | null;
  }

  /** When the batch holding `seq` was committed, or null when it is not kept. */
  committedAt(seq: number): number | null {
    const row = this.rowHolding(seq);
    return row ? row.committed_at : null;
  }

  totals(): { bytes: number; rows: number } {
    return this.sql.total.get() as { bytes: number; rows: number };
  }

  private rowHolding(seq: number): OutboxRow | null {
    const row = this.sql.rowAt.get(seq) as OutboxRow | undefined;
    return row && row.first_seq + row.n > seq ? row : null;
  }

  private decoded(first: number): DecodedRow | null {
    const hit = this.cache.find((c) => c.first === first);
    if (hit) return hit;
    const data = this.sql.data.get(first) as Buffer | undefined;
    if (!data) return null;
    const groups = decodeOutboxBatch(data);
    const offsets: number[] = [];
    let n = 0;
    for (const g of groups) {
      offsets.push(n);
      n += g.samples.length;
    }
    const row = { first, n, groups, offsets };
    this.cache.push(row);
    if (this.cache.length > 4) this.cache.shift();
    return row;
  }

  /**
   * Samples with from ≤ seq ≤ to, in sequence order, at most `max`; stops early at a number no
   * longer kept (the caller sees where).
   */
  read(from: number, to: number, max: number): OutboxSample[] {
    const out: OutboxSample[] = [];
    let seq = from;
    while (seq <= to && out.length < max) {
      const row = this.rowHolding(seq);
      if (!row) break; // not kept (below the lowest number, or beyond the head)
      const d = this.decoded(row.first_seq);
      if (!d) break;
      let pos = seq - d.first;
      let g = 0;
      while (pos < d.n && seq <= to && out.length < max) {
        while (g + 1 < d.groups.length && d.offsets[g + 1] <= pos) g++;
        const grp = d.groups[g];
        const i = pos - d.offsets[g];
        const c = grp.samples;
        out.push({ seq, tag: this.tagName(grp.tag), ts: c.ts[i], sourceTs: c.sourceTs[i], value: valueAt(c, i), quality: c.quality[i] });
        pos++;
        seq++;
      }
    }
    return out;
  }

  /** Deletes the batches whose every sample has a number ≤ seq (acknowledged by every sink). */
  deleteThrough(seq: number): number {
    return this.db.transaction(() => {
      const gone = this.sql.sumThrough.get(seq) as { bytes: number; rows: number };
      if (gone.rows === 0) return 0;
      const n = this.sql.deleteThrough.run(seq).changes;
      this.sql.shrink.run(gone.bytes, n);
      this.cache.length = 0;
      return n;
    })();
  }

  /**
   * Deletes the oldest batches until at least `bytes` are freed (or the outbox is empty);
   * returns what was dropped, or null when nothing was. The caller records it (a "data dropped"
   * event) in the same transaction.
   */
  dropOldest(bytes: number): OutboxDropped | null {
    return this.db.transaction(() => this.dropOldestInTransaction(bytes))();
  }

  private dropOldestInTransaction(bytes: number): OutboxDropped | null {
    let freed = 0;
    let rowsDeleted = 0;
    let dropped: OutboxDropped | null = null;
    while (freed < bytes) {
      const rows = this.sql.oldest.all(64) as OutboxRow[];
      if (rows.length === 0) break;
      for (const r of rows) {
        if (freed >= bytes) break;
        this.sql.deleteRow.run(r.first_seq);
        rowsDeleted++;
        freed += r.bytes;
        if (!dropped) dropped = { first: r.first_seq, last: r.first_seq + r.n - 1, n: r.n, tMin: r.t_min, tMax: r.t_max, bytes: r.bytes };
        else {
          dropped.last = r.first_seq + r.n - 1;
          dropped.n += r.n;
          dropped.tMin = Math.min(dropped.tMin, r.t_min);
          dropped.tMax = Math.max(dropped.tMax, r.t_max);
          dropped.bytes += r.bytes;
        }
      }
    }
    if (dropped) {
      this.sql.shrink.run(dropped.bytes, rowsDeleted);
      this.cache.length = 0;
    }
    return dropped;
  }

  /** The database connection the reads and deletes use (so callers can wrap them in one transaction). */
  get connection(): Database.Database {
    return this.db;
  }
}
