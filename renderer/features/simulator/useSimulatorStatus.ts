import { useCallback, useEffect, useState } from 'react';
import type { ScenarioName, SimulatorStatus } from '../../../shared/api';
import { useServices } from '../../state/services';
import { DROPOUT_SECONDS } from './scenario-labels';

export interface SimulatorControls {
  status: SimulatorStatus | null;
  busy: boolean;
  setScenario: (scenario: ScenarioName, on: boolean) => void;
  dropout: () => void;
}

export function useSimulatorStatus(enabled: boolean, generation: number): SimulatorControls {
  const { client, messages } = useServices();
  const [status, setStatus] = useState<SimulatorStatus | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!enabled || generation === 0) return;
    let current = true;
    client.call('simulator.status', {}).then(
      (s) => {
        if (current) setStatus(s);
      },
      (err: unknown) => {
        if (current) messages.reportError('Loading simulator status', err);
      },
    );
    return () => {
      current = false;
    };
  }, [client, messages, enabled, generation]);

  const run = useCallback(
    (what: string, call: () => Promise<SimulatorStatus>) => {
      setBusy(true);
      call()
        .then(setStatus, (err: unknown) => messages.reportError(what, err))
        .finally(() => setBusy(false));
    },
    [messages],
  );

  const setScenario = useCallback(
    (scenario: ScenarioName, on: boolean) =>
      run(`Switching ${scenario} ${on ? 'on' : 'off'}`, () => client.call('simulator.setScenario', { scenario, on })),
    [client, run],
  );
  const dropout = useCallback(
    () => run('Starting a dropout', () => client.call('simulator.dropout', { seconds: DROPOUT_SECONDS })),
    [client, run],
  );

  return { status, busy, setScenario, dropout };
}
