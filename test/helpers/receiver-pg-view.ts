/**
 * What the site receiver holds in PostgreSQL, loaded into memory as a ReceivedView so that the
 * store-and-forward tests end with the same check as on SQLite (expectExactlyOnce): records of
 * the table streams from their `record jsonb` as sent; samples rebuilt from the typed columns
 * (tag through the receiver's dictionary, time back to epoch ms, value by its type, quality).
 */
import pg from 'pg';
import { recordTables } from '../../main/receiver/pg-streams';
import type { ReceivedRecord, ReceivedView } from './mosquitto-sync';

interface SampleRow {
  node: string;
  seq: string;
  ts_ms: string;
  source_ms: string | null;
  tag: string;
  value_num: number | null;
  value_bool: boolean | null;
  value_text: string | null;
  quality: string;
}

export async function pgReceived(url: string): Promise<ReceivedView> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const records = new Map<string, ReceivedRecord[]>();
  const positions = new Map<string, { duplicates: number; refused: number }>();
  const add = (node: string, stream: string, r: ReceivedRecord) => {
    const key = `${node}\u0000${stream}`;
    let list = records.get(key);
    if (!list) records.set(key, (list = []));
    list.push(r);
  };
  try {
    for (const [stream, t] of Object.entries(recordTables)) {
      const rows = await client.query<{ node: string; seq: string; record: Record<string, unknown> }>(
        `SELECT n.node, r.seq, r.record FROM ${t.table} r JOIN receiver_node n ON n.id = r.node_id ORDER BY n.node, r.seq`,
      );
      for (const row of rows.rows) add(row.node, stream, { seq: Number(row.seq), rec: row.record });
    }
    // Samples: ordered by (node, seq); a number stored twice under two times would show twice.
    const samples = await client.query<SampleRow>(`
      SELECT n.node, s.seq, (extract(epoch FROM s.ts) * 1000)::bigint AS ts_ms,
             (extract(epoch FROM s.source_ts) * 1000)::bigint AS source_ms, t.name AS tag,
             s.value_num, s.value_bool, s.value_text, s.quality
        FROM sample s JOIN receiver_node n ON n.id = s.node_id JOIN receiver_tag t ON t.id = s.tag_id
       ORDER BY n.node, s.seq`);
    for (const s of samples.rows) {
      const value = s.value_num ?? s.value_bool ?? s.value_text;
      add(s.node, 'sample', {
        seq: Number(s.seq),
        rec: { seq: Number(s.seq), tag: s.tag, ts: Number(s.ts_ms), sourceTs: s.source_ms === null ? null : Number(s.source_ms), value, quality: s.quality },
      });
    }
    const pos = await client.query<{ node: string; stream: string; duplicates: string; refused: string }>(
      'SELECT n.node, p.stream, p.duplicates, p.refused FROM receiver_position p JOIN receiver_node n ON n.id = p.node_id',
    );
    for (const p of pos.rows) positions.set(`${p.node}\u0000${p.stream}`, { duplicates: Number(p.duplicates), refused: Number(p.refused) });
  } finally {
    await client.end();
  }
  return {
    records: (node, stream) => records.get(`${node}\u0000${stream}`) ?? [],
    position: (node, stream) => positions.get(`${node}\u0000${stream}`),
  };
}
