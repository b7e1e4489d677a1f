/**
 * The sample table's daily partitions (UTC days): made ahead (today and the next `aheadDays`,
 * at start and every hour), and on demand for a batch whose samples fall on a day without one
 * (a backlog from before the receiver's time, a PC whose clock is off). Old ones are dropped
 * whole when a retention is set — a DROP of a day, not a DELETE of its rows.
 *
 * Receivers side by side make partitions under an advisory lock, so two never race on one day.
 */
import type { Pool, PoolClient } from 'pg';
import { withClient } from './pg-client';

const DAY_MS = 86_400_000;
export const PARTITION_LOCK = 0x4c53_0002;

/** The UTC day (days since the epoch) of an epoch-ms time. */
export const dayOf = (ms: number): number => Math.floor(ms / DAY_MS);

/** The partition's name: sample_YYYYMMDD. */
export function partitionName(day: number): string {
  return `sample_${new Date(day * DAY_MS).toISOString().slice(0, 10).replace(/-/g, '')}`;
}

const iso = (day: number) => new Date(day * DAY_MS).toISOString();

export class SamplePartitions {
  private readonly known = new Set<number>();

  constructor(private readonly pool: Pool) {}

  /** Reads which days have a partition. */
  async load(): Promise<void> {
    const r = await this.pool.query<{ name: string }>(`SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'sample'`);
    for (const { name } of r.rows) {
      const m = /^sample_(\d{4})(\d{2})(\d{2})$/.exec(name);
      if (m) this.known.add(dayOf(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))));
    }
  }

  /** Makes sure each of these days has a partition. */
  async ensure(days: Iterable<number>): Promise<number> {
    const wanted = [...new Set(days)].filter((d) => !this.known.has(d)).sort((a, b) => a - b);
    if (wanted.length === 0) return 0;
    return withClient(this.pool, async (client) => {
      let made = 0;
      await client.query('SELECT pg_advisory_lock($1)', [PARTITION_LOCK]);
      try {
        for (const day of wanted) {
          if (await this.create(client, day)) made++;
          this.known.add(day);
        }
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [PARTITION_LOCK]);
      }
      return made;
    });
  }

  /** Today's and the next days' partitions. */
  ensureAhead(now: number, aheadDays: number): Promise<number> {
    const today = dayOf(now);
    return this.ensure(Array.from({ length: aheadDays + 1 }, (_, i) => today + i));
  }

  /** Drops the partitions of days wholly older than `keepDays` before now; returns their names. */
  async dropOlderThan(now: number, keepDays: number): Promise<string[]> {
    const limit = dayOf(now) - keepDays;
    const old = [...this.known].filter((d) => d < limit).sort((a, b) => a - b);
    const dropped: string[] = [];
    for (const day of old) {
      await this.pool.query(`DROP TABLE IF EXISTS ${partitionName(day)}`);
      this.known.delete(day);
      dropped.push(partitionName(day));
    }
    return dropped;
  }

  private async create(client: PoolClient, day: number): Promise<boolean> {
    const name = partitionName(day);
    const exists = await client.query('SELECT 1 FROM pg_class WHERE relname = $1', [name]);
    if (exists.rowCount) return false;
    await client.query(`CREATE TABLE ${name} PARTITION OF sample FOR VALUES FROM ('${iso(day)}') TO ('${iso(day + 1)}')`);
    return true;
  }
}
