/**
 * A pooled PostgreSQL connection for a piece of work. While it is checked out, an error the
 * connection raises by itself (the server restarting under it) is caught here — unheard, it would
 * end the process — and the connection is thrown away instead of going back to the pool.
 */
import type pg from 'pg';

export async function withClient<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let lost: Error | undefined;
  const onError = (err: Error) => {
    lost = err;
  };
  client.on('error', onError);
  try {
    return await work(client);
  } catch (err) {
    if (isConnectionError(err as Error)) lost ??= err as Error;
    throw err;
  } finally {
    client.off('error', onError);
    client.release(lost);
  }
}

/** Whether an error means the connection itself is gone (not just the statement). */
export function isConnectionError(err: Error & { code?: string }): boolean {
  return err.code === undefined || /^(57P|08)/.test(err.code);
}
