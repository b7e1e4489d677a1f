/**
 * The site receiver's storage in PostgreSQL (node-postgres): every record under its key (node,
 * stream, seq) in its stream's table, unique, inserted with ON CONFLICT DO NOTHING, so a
 * redelivery is never stored twice; refusals with their reason; ranges declared lost; per node
 * and stream the position (baseline, contiguous, highest seen, counters).
 *
 * One transaction per batch, committed (PostgreSQL's synchronous commit: the WAL is flushed)
 * before the ack is made: an ack never covers a record that a crash could lose. A batch that
 * cannot be committed (the server restarting, the disk full) throws, and gets no ack.
 *
 * What is held per node and stream is cached as ranges, checked against the position row's
 * version under the row's lock in every batch: a receiver beside this one that stored batches of
 * the same node makes the version move, and the cache is read again from the tables. Batches of
 * one node and stream are committed one after another (the row lock; within a process, a queue
 * per key); different nodes and streams go side by side on the pool.
 */
import pg from 'pg';
import { IntervalSet } from '../sync/intervals';
import type { Ack, Batch, StreamName } from '../sync/wire';
import type { Logger } from '../util/log';
import { ackBase, ackOf, checkBatchRange, MAX_REPORTED_REFUSALS, missingRanges, validateRecord, type BatchStore, type RecordValidator, type StreamGap, type StreamPosition } from './batch-store';
import { withClient } from './pg-client';
import { migrate } from './pg-schema';
import { dayOf, SamplePartitions } from './pg-partitions';
import { bulkInsert, recordTables, sampleTable, tableOf } from './pg-streams';

type Rec = Record<string, unknown>;

export interface PgStoreOptions {
  /** connection string (postgres://user:password@host:port/db) */
  url: string;
  /** connections in the pool: batches committed side by side (default 8) */
  poolSize?: number;
  validate?: RecordValidator;
  /** partitions made ahead of today (default 2) */
  partitionsAheadDays?: number;
  /** sample partitions older than this many days are dropped (default: kept) */
  retentionDays?: number | null;
  log?: Logger;
}

interface Held {
  have: IntervalSet;
  version: number;
}

interface PositionRow {
  node_id: number;
  stream: StreamName;
  baseline: string;
  contiguous: string;
  max_seen: string;
  stored: string;
  duplicates: string;
  refused: string;
  version: string;
}

/** Queues work per key: one after another for a key, side by side across keys. */
class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const next = prev.then(work, work);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }
}

export class PgReceiverStore implements BatchStore {
  private readonly nodes = new Map<string, number>();
  private readonly tags = new Map<string, number>();
  private readonly held = new Map<string, Held>();
  private readonly queue = new KeyedQueue();
  private readonly validate: RecordValidator;
  private readonly partitions: SamplePartitions;
  private housekeeping: NodeJS.Timeout | null = null;
  /** deliveries dropped as duplicates since start (all streams) */
  duplicatesSinceStart = 0;

  private constructor(
    readonly pool: pg.Pool,
    private readonly o: PgStoreOptions,
  ) {
    this.validate = o.validate ?? validateRecord;
    this.partitions = new SamplePartitions(pool);
  }

  /** Connects, migrates the schema, makes the partitions ahead. */
  static async open(o: PgStoreOptions): Promise<PgReceiverStore> {
    const pool = new pg.Pool({ connectionString: o.url, max: o.poolSize ?? 8, connectionTimeoutMillis: 10_000, idleTimeoutMillis: 30_000, application_name: 'lineside-receiver' });
    // An idle connection the server drops (a restart) must not take the process down: the pool
    // forgets it and opens another for the next batch.
    pool.on('error', (err) => o.log?.warn(`PostgreSQL: an idle connection failed: ${err.message}`));
    const store = new PgReceiverStore(pool, o);
    try {
      const ran = await withClient(pool, (client) => migrate(client));
      if (ran > 0) o.log?.info(`PostgreSQL: schema migrated (${ran} step${ran === 1 ? '' : 's'})`);
      await store.partitions.load();
      await store.housekeep();
    } catch (err) {
      await pool.end();
      throw new Error(`PostgreSQL at ${redact(o.url)}: ${(err as Error).message}`, { cause: err });
    }
    store.housekeeping = setInterval(() => void store.housekeep().catch((err: Error) => o.log?.warn(`PostgreSQL housekeeping: ${err.message}`)), 3_600_000);
    store.housekeeping.unref();
    return store;
  }

  /** Partitions ahead; old ones dropped under a retention. */
  async housekeep(now = Date.now()): Promise<void> {
    await this.partitions.ensureAhead(now, this.o.partitionsAheadDays ?? 2);
    if (this.o.retentionDays) {
      const dropped = await this.partitions.dropOlderThan(now, this.o.retentionDays);
      if (dropped.length > 0) this.o.log?.info(`PostgreSQL: dropped ${dropped.join(', ')} (retention ${this.o.retentionDays} days)`);
    }
  }

  async process(batch: Batch, now = Date.now()): Promise<Ack> {
    const base = ackBase(batch);
    const problem = checkBatchRange(batch);
    if (problem !== null) {
      const h = this.held.get(`${batch.node}\u0000${batch.stream}`);
      return { ...base, upTo: h ? h.have.contiguousFrom(1) : 0, ranges: [], rejected: [], error: problem };
    }
    const ok: Rec[] = [];
    const refusedNow: { rec: Rec; why: string }[] = [];
    for (const rec of batch.records) {
      const why = this.validate(batch.stream, rec);
      if (why === null) ok.push(rec);
      else refusedNow.push({ rec, why });
    }
    const nodeId = await this.nodeId(batch);
    if (batch.stream === 'sample' && ok.length > 0) {
      await this.tagIds(nodeId, ok);
      await this.partitions.ensure(ok.map((r) => dayOf(r.ts as number)));
    }
    const key = `${batch.node}\u0000${batch.stream}`;
    return this.queue.run(key, () => this.commit(key, nodeId, batch, ok, refusedNow, now));
  }

  private async commit(key: string, nodeId: number, batch: Batch, ok: Rec[], refusedNow: { rec: Rec; why: string }[], now: number): Promise<Ack> {
    const { stream } = batch;
    return withClient(this.pool, async (client) => {
     try {
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO receiver_position (node_id, stream, baseline, contiguous, max_seen, last_at) VALUES ($1, $2, $3, $3, $3, to_timestamp($4 / 1000.0)) ON CONFLICT DO NOTHING`,
        [nodeId, stream, batch.acked, now],
      );
      const pos = (await client.query<PositionRow>('SELECT * FROM receiver_position WHERE node_id = $1 AND stream = $2 FOR UPDATE', [nodeId, stream])).rows[0];
      const version = Number(pos.version);
      let held = this.held.get(key);
      if (!held || held.version !== version) held = { have: await this.readHeld(client, nodeId, stream, pos), version };
      const have = new IntervalSet(held.have.ranges());
      const results: NonNullable<Ack['results']> = [];

      if (batch.lost) {
        await client.query(
          `INSERT INTO receiver_lost (node_id, stream, first_seq, last_seq, reason, declared_at) VALUES ($1, $2, $3, $4, $5, to_timestamp($6 / 1000.0))
           ON CONFLICT (node_id, stream, first_seq) DO UPDATE SET last_seq = greatest(receiver_lost.last_seq, EXCLUDED.last_seq)`,
          [nodeId, stream, batch.first, batch.last, batch.lost.reason, now],
        );
        have.add(batch.first, batch.last);
      }
      let stored = 0;
      if (ok.length > 0) {
        const table = stream === 'sample' ? sampleTable((r) => this.tags.get(`${nodeId}\u0000${r.tag as string}`)!) : recordTables[stream];
        const q = bulkInsert(table, nodeId, batch.historical, now, ok);
        const inserted = (await client.query<{ seq: string }>(q.sql, q.params)).rows.map((r) => Number(r.seq));
        stored = inserted.length;
        if (Number(pos.refused) > 0 && stored > 0) await client.query('DELETE FROM receiver_refused WHERE node_id = $1 AND stream = $2 AND seq = ANY($3::int8[])', [nodeId, stream, inserted]);
        for (const r of ok) {
          have.add(r.seq as number, r.seq as number);
          results.push({ seq: r.seq as number, ok: true });
        }
      }
      let duplicates = ok.length - stored;
      let refused = 0;
      for (const { rec, why } of refusedNow) {
        const seq = rec.seq as number;
        const there = await client.query(`SELECT 1 FROM ${tableOf(stream)} WHERE node_id = $1 AND seq = $2 LIMIT 1`, [nodeId, seq]);
        if (there.rowCount) {
          duplicates++; // stored before: keep it
          results.push({ seq, ok: true });
        } else {
          refused++;
          await client.query(
            `INSERT INTO receiver_refused (node_id, stream, seq, reason, received_at, record) VALUES ($1, $2, $3, $4, to_timestamp($5 / 1000.0), $6::jsonb)
             ON CONFLICT (node_id, stream, seq) DO UPDATE SET reason = EXCLUDED.reason, received_at = EXCLUDED.received_at, record = EXCLUDED.record`,
            [nodeId, stream, seq, why, now, JSON.stringify(rec)],
          );
          results.push({ seq, ok: false, reason: why });
        }
        have.add(seq, seq);
      }
      const contiguous = have.contiguousFrom(1);
      await client.query(
        `UPDATE receiver_position SET contiguous = $3, max_seen = greatest(max_seen, $4), stored = stored + $5, duplicates = duplicates + $6, refused = refused + $7,
           version = version + 1, last_at = to_timestamp($8 / 1000.0) WHERE node_id = $1 AND stream = $2`,
        [nodeId, stream, contiguous, batch.last, stored, duplicates, refused, now],
      );
      const refusals =
        Number(pos.refused) + refused > 0
          ? (
              await client.query<{ seq: string; reason: string }>('SELECT seq, reason FROM receiver_refused WHERE node_id = $1 AND stream = $2 AND seq > $3 ORDER BY seq LIMIT $4', [
                nodeId,
                stream,
                batch.acked,
                MAX_REPORTED_REFUSALS + 1,
              ])
            ).rows.map((r) => ({ seq: Number(r.seq), reason: r.reason }))
          : [];
      await client.query('COMMIT');
      // Committed: from here on, this is what is held.
      const cached = this.held.get(key);
      if (!cached || cached.version <= version + 1) this.held.set(key, { have, version: version + 1 });
      this.duplicatesSinceStart += duplicates;
      const ack = ackOf(ackBase(batch), have, contiguous, refusals);
      if (batch.retry) ack.results = results;
      return ack;
     } catch (err) {
      this.held.delete(key);
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
     }
    });
  }

  /** What is held for a node and stream, read from the tables. */
  private async readHeld(client: pg.PoolClient, nodeId: number, stream: StreamName, pos: PositionRow): Promise<IntervalSet> {
    const contiguous = Number(pos.contiguous);
    const have = new IntervalSet();
    if (contiguous > 0) have.add(1, contiguous);
    const seqs = await client.query<{ seq: string }>(`SELECT seq FROM ${tableOf(stream)} WHERE node_id = $1 AND seq > $2 UNION SELECT seq FROM receiver_refused WHERE node_id = $1 AND stream = $3 AND seq > $2`, [
      nodeId,
      contiguous,
      stream,
    ]);
    for (const r of seqs.rows) have.add(Number(r.seq), Number(r.seq));
    const lost = await client.query<{ first_seq: string; last_seq: string }>('SELECT first_seq, last_seq FROM receiver_lost WHERE node_id = $1 AND stream = $2 AND last_seq > $3', [nodeId, stream, contiguous]);
    for (const r of lost.rows) have.add(Number(r.first_seq), Number(r.last_seq));
    return have;
  }

  private async nodeId(batch: Batch): Promise<number> {
    const known = this.nodes.get(batch.node);
    if (known !== undefined) return known;
    const r = await this.pool.query<{ id: number }>(
      'INSERT INTO receiver_node (node, site, line) VALUES ($1, $2, $3) ON CONFLICT (node) DO UPDATE SET site = EXCLUDED.site, line = EXCLUDED.line RETURNING id',
      [batch.node, batch.site, batch.line],
    );
    this.nodes.set(batch.node, r.rows[0].id);
    return r.rows[0].id;
  }

  /** Makes sure every tag of these samples has its id in the dictionary (and in the cache). */
  private async tagIds(nodeId: number, samples: readonly Rec[]): Promise<void> {
    const missing = [...new Set(samples.map((s) => s.tag as string))].filter((t) => !this.tags.has(`${nodeId}\u0000${t}`));
    if (missing.length === 0) return;
    await this.pool.query('INSERT INTO receiver_tag (node_id, name) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING', [nodeId, missing]);
    const r = await this.pool.query<{ id: number; name: string }>('SELECT id, name FROM receiver_tag WHERE node_id = $1 AND name = ANY($2::text[])', [nodeId, missing]);
    for (const t of r.rows) this.tags.set(`${nodeId}\u0000${t.name}`, t.id);
  }

  /** Per node and stream: what is held, counters, and how many numbers are missing. */
  async positions(): Promise<StreamPosition[]> {
    return (await this.positionsWithHeld()).map((p) => p.position);
  }

  /** Per node and stream, the ranges of numbers not (yet) held. */
  async gaps(): Promise<StreamGap[]> {
    return (await this.positionsWithHeld()).flatMap(({ position: p, have }) =>
      p.missing === 0 ? [] : missingRanges(have, p.baseline, p.maxSeen).map(([first, last]) => ({ node: p.node, stream: p.stream, site: p.site, line: p.line, first, last })),
    );
  }

  private async positionsWithHeld(): Promise<{ position: StreamPosition; have: IntervalSet }[]> {
    return withClient(this.pool, async (client) => {
      const rows = (
        await client.query<PositionRow & { node: string; site: string; line: string; lost: string }>(
          `SELECT p.*, n.node, n.site, n.line,
             (SELECT coalesce(sum(l.last_seq - l.first_seq + 1), 0) FROM receiver_lost l WHERE l.node_id = p.node_id AND l.stream = p.stream) AS lost
           FROM receiver_position p JOIN receiver_node n ON n.id = p.node_id ORDER BY n.node, p.stream`,
        )
      ).rows;
      const out: { position: StreamPosition; have: IntervalSet }[] = [];
      for (const r of rows) {
        const key = `${r.node}\u0000${r.stream}`;
        const cached = this.held.get(key);
        const have = cached && cached.version === Number(r.version) ? cached.have : await this.readHeld(client, r.node_id, r.stream, r);
        const baseline = Number(r.baseline);
        const maxSeen = Number(r.max_seen);
        out.push({
          have,
          position: {
            node: r.node,
            stream: r.stream,
            site: r.site,
            line: r.line,
            baseline,
            contiguous: Number(r.contiguous),
            maxSeen,
            stored: Number(r.stored),
            duplicates: Number(r.duplicates),
            refused: Number(r.refused),
            missing: Math.max(0, maxSeen - baseline - have.countWithin(baseline + 1, maxSeen)),
            lost: Number(r.lost),
          },
        });
      }
      return out;
    });
  }

  async close(): Promise<void> {
    if (this.housekeeping) clearInterval(this.housekeeping);
    await this.pool.end();
  }
}

/** A connection string without its password, for messages. */
export function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]+):[^@]*@/, '$1:***@');
}
