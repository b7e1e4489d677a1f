/**
 * The site receiver's PostgreSQL schema, as numbered migrations: each runs once, in its own
 * transaction, recorded in `receiver_migration`. Receivers side by side may start together: the
 * first takes an advisory lock and migrates, the others wait for it and find the work done.
 *
 * A migration, once released, is never edited; a change is a new one at the end.
 */
import type { PoolClient } from 'pg';

/** Keys of the advisory locks the receivers share (arbitrary, fixed). */
export const MIGRATION_LOCK = 0x4c53_0001;

export const pgMigrations: readonly string[] = [
  // 1: nodes and their tags, positions, refusals, declared losses, and one table per stream.
  `
  CREATE TABLE receiver_node (
    id          serial PRIMARY KEY,
    node        text NOT NULL UNIQUE,
    site        text NOT NULL,
    line        text NOT NULL,
    first_seen  timestamptz NOT NULL DEFAULT now()
  );
  CREATE TABLE receiver_tag (
    id       serial PRIMARY KEY,
    node_id  integer NOT NULL REFERENCES receiver_node (id),
    name     text NOT NULL,
    UNIQUE (node_id, name)
  );
  -- per node and stream: where numbering starts for this receiver (the sender's acknowledged
  -- position at first contact), the highest contiguous number held, the highest seen, counters,
  -- and a version bumped by every batch (a receiver's cache of what is held checks it)
  CREATE TABLE receiver_position (
    node_id     integer NOT NULL REFERENCES receiver_node (id),
    stream      text NOT NULL,
    baseline    bigint NOT NULL,
    contiguous  bigint NOT NULL,
    max_seen    bigint NOT NULL,
    stored      bigint NOT NULL DEFAULT 0,
    duplicates  bigint NOT NULL DEFAULT 0,
    refused     bigint NOT NULL DEFAULT 0,
    version     bigint NOT NULL DEFAULT 0,
    last_at     timestamptz NOT NULL,
    PRIMARY KEY (node_id, stream)
  );
  CREATE TABLE receiver_refused (
    node_id     integer NOT NULL REFERENCES receiver_node (id),
    stream      text NOT NULL,
    seq         bigint NOT NULL,
    reason      text NOT NULL,
    received_at timestamptz NOT NULL,
    record      jsonb NOT NULL,
    PRIMARY KEY (node_id, stream, seq)
  );
  CREATE TABLE receiver_lost (
    node_id     integer NOT NULL REFERENCES receiver_node (id),
    stream      text NOT NULL,
    first_seq   bigint NOT NULL,
    last_seq    bigint NOT NULL,
    reason      text NOT NULL,
    declared_at timestamptz NOT NULL,
    PRIMARY KEY (node_id, stream, first_seq)
  );

  -- Samples: partitioned by day on ts (partitions made ahead and on demand, pg-partitions.ts).
  -- The key is (node, seq); ts is part of the unique index because a partitioned table's unique
  -- keys must hold its partition key — a record's ts never changes, so it is the same key.
  CREATE TABLE sample (
    node_id     integer NOT NULL,
    seq         bigint NOT NULL,
    ts          timestamptz NOT NULL,
    tag_id      integer NOT NULL,
    source_ts   timestamptz,
    value_num   double precision,
    value_bool  boolean,
    value_text  text,
    quality     text NOT NULL,
    historical  boolean NOT NULL,
    received_at timestamptz NOT NULL
  ) PARTITION BY RANGE (ts);
  CREATE UNIQUE INDEX sample_key ON sample (node_id, seq, ts);
  CREATE INDEX sample_ts_brin ON sample USING brin (ts);
  CREATE INDEX sample_tag_ts ON sample (tag_id, ts);

  CREATE TABLE alarm_event (
    node_id     integer NOT NULL REFERENCES receiver_node (id),
    seq         bigint NOT NULL,
    ts          timestamptz NOT NULL,
    alarm_id    text,
    event       text,
    from_state  text,
    to_state    text,
    priority    bigint,
    tag         text,
    area        text,
    device      text,
    user_id     text,
    record      jsonb NOT NULL,
    historical  boolean NOT NULL,
    received_at timestamptz NOT NULL,
    PRIMARY KEY (node_id, seq)
  );
  CREATE INDEX alarm_event_ts ON alarm_event (ts);
  CREATE TABLE audit_record (
    node_id     integer NOT NULL REFERENCES receiver_node (id),
    seq         bigint NOT NULL,
    ts          timestamptz NOT NULL,
    user_id     text,
    action      text,
    target      text,
    outcome     text,
    record      jsonb NOT NULL,
    historical  boolean NOT NULL,
    received_at timestamptz NOT NULL,
    PRIMARY KEY (node_id, seq)
  );
  CREATE INDEX audit_record_ts ON audit_record (ts);
  CREATE TABLE sync_event (
    node_id     integer NOT NULL REFERENCES receiver_node (id),
    seq         bigint NOT NULL,
    ts          timestamptz NOT NULL,
    type        text,
    record      jsonb NOT NULL,
    historical  boolean NOT NULL,
    received_at timestamptz NOT NULL,
    PRIMARY KEY (node_id, seq)
  );
  CREATE TABLE instruction_record (
    node_id        integer NOT NULL REFERENCES receiver_node (id),
    seq            bigint NOT NULL,
    ts             timestamptz NOT NULL,
    run_id         bigint,
    kind           text,
    instruction_id text,
    version_hash   text,
    user_id        text,
    record         jsonb NOT NULL,
    historical     boolean NOT NULL,
    received_at    timestamptz NOT NULL,
    PRIMARY KEY (node_id, seq)
  );
  CREATE INDEX instruction_record_ts ON instruction_record (ts);
  CREATE TABLE maintenance_record (
    node_id     integer NOT NULL REFERENCES receiver_node (id),
    seq         bigint NOT NULL,
    ts          timestamptz NOT NULL,
    request_id  bigint,
    kind        text,
    user_id     text,
    record      jsonb NOT NULL,
    historical  boolean NOT NULL,
    received_at timestamptz NOT NULL,
    PRIMARY KEY (node_id, seq)
  );
  CREATE TABLE downtime_record (
    node_id     integer NOT NULL REFERENCES receiver_node (id),
    seq         bigint NOT NULL,
    ts          timestamptz NOT NULL,
    downtime_id bigint,
    kind        text,
    line        text,
    user_id     text,
    record      jsonb NOT NULL,
    historical  boolean NOT NULL,
    received_at timestamptz NOT NULL,
    PRIMARY KEY (node_id, seq)
  );
  `,
];

/** Runs the migrations not yet run; returns how many ran. */
export async function migrate(client: PoolClient, migrations: readonly string[] = pgMigrations): Promise<number> {
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
  try {
    await client.query('CREATE TABLE IF NOT EXISTS receiver_migration (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    const done = (await client.query<{ v: number | null }>('SELECT max(version) AS v FROM receiver_migration')).rows[0].v ?? 0;
    if (done > migrations.length) throw new Error(`the database's receiver schema is version ${done}, newer than this receiver's ${migrations.length}: update the receiver`);
    for (let v = done + 1; v <= migrations.length; v++) {
      await client.query('BEGIN');
      try {
        await client.query(migrations[v - 1]);
        await client.query('INSERT INTO receiver_migration (version) VALUES ($1)', [v]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw new Error(`receiver schema migration ${v} failed: ${(err as Error).message}`, { cause: err });
      }
    }
    return migrations.length - done;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
  }
}
