import { useCallback, useEffect, useState } from 'react';
import type { InstructionSummary, RunSummary, RunView } from '../../../shared/instructions';
import { useServices } from '../../state/services';

/** What the run history shows: one instruction, one result, one person's, since a day. */
export interface HistoryFilter {
  instructionId?: string;
  state?: 'completed' | 'aborted';
  user?: string;
  from?: number;
}

/**
 * The instructions, the runs going on, and the run history as filtered; fetched again when a
 * run changes or on `refresh`.
 */
export function useInstructions(generation: number, filter: HistoryFilter = {}) {
  const { client, messages } = useServices();
  const [instructions, setInstructions] = useState<InstructionSummary[] | null>(null);
  const [runs, setRuns] = useState<RunSummary[] | null>(null);
  const [history, setHistory] = useState<RunSummary[] | null>(null);
  const filterKey = JSON.stringify(filter);
  const [seq, setSeq] = useState(0);
  const refresh = useCallback(() => setSeq((n) => n + 1), []);
  useEffect(() => client.on('run', () => setSeq((n) => n + 1)), [client]);
  useEffect(() => {
    if (generation === 0) return;
    let alive = true;
    const f = JSON.parse(filterKey) as HistoryFilter;
    Promise.all([
      client.call('instructions.list', {}),
      client.call('runs.list', { state: 'running', limit: 50 }),
      client.call('runs.list', { limit: 100, ...f, ...(f.state === undefined ? {} : { state: f.state }) }),
    ]).then(
      ([i, r, h]) => {
        if (!alive) return;
        setInstructions(i);
        setRuns(r);
        setHistory(h.filter((x) => x.state !== 'running'));
      },
      (err: unknown) => alive && messages.reportError('Loading the instructions', err),
    );
    return () => {
      alive = false;
    };
  }, [client, messages, generation, seq, filterKey]);
  return { instructions, runs, history, refresh };
}

/** One run, kept current by the runtime's `run` events (a condition met, another person's step). */
export function useRun(runId: number | null, generation: number) {
  const { client } = useServices();
  const [view, setView] = useState<RunView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [seq, setSeq] = useState(0);
  useEffect(() => client.on('run', (e) => e.runId === runId && setSeq((n) => n + 1)), [client, runId]);
  useEffect(() => {
    if (runId === null || generation === 0) {
      setView(null);
      return;
    }
    let alive = true;
    client.call('runs.get', { runId }).then(
      (v) => alive && (setView(v), setError(null)),
      (err: unknown) => alive && setError(err instanceof Error ? err.message : String(err)),
    );
    return () => {
      alive = false;
    };
  }, [client, runId, generation, seq]);
  // A machine condition being waited on: look again every second (its "why" and the wait time).
  const waiting = view?.waiting !== null && view?.waiting !== undefined;
  useEffect(() => {
    if (!waiting) return;
    const t = setInterval(() => setSeq((n) => n + 1), 1000);
    return () => clearInterval(t);
  }, [waiting]);
  return { view, setView, error };
}
