import { useCallback, useEffect, useState } from 'react';
import type { InstructionSummary, RunSummary, RunView } from '../../../shared/instructions';
import { useServices } from '../../state/services';

/** The instructions and the recent runs; fetched again when a run changes or on `refresh`. */
export function useInstructions(generation: number) {
  const { client, messages } = useServices();
  const [instructions, setInstructions] = useState<InstructionSummary[] | null>(null);
  const [runs, setRuns] = useState<RunSummary[] | null>(null);
  const [seq, setSeq] = useState(0);
  const refresh = useCallback(() => setSeq((n) => n + 1), []);
  useEffect(() => client.on('run', () => setSeq((n) => n + 1)), [client]);
  useEffect(() => {
    if (generation === 0) return;
    let alive = true;
    Promise.all([client.call('instructions.list', {}), client.call('runs.list', { limit: 50 })]).then(
      ([i, r]) => {
        if (!alive) return;
        setInstructions(i);
        setRuns(r);
      },
      (err: unknown) => alive && messages.reportError('Loading the instructions', err),
    );
    return () => {
      alive = false;
    };
  }, [client, messages, generation, seq]);
  return { instructions, runs, refresh };
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
