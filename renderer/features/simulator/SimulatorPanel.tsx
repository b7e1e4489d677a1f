import { scenarioNames } from '../../../shared/api';
import { useNow } from '../../state/useNow';
import { DROPOUT_SECONDS, SCENARIO_LABELS } from './scenario-labels';
import { GuardedButton } from '../../ui/GuardedButton';
import type { SimulatorControls } from './useSimulatorStatus';

/** Demo and test controls for the built-in simulated line. Shown only when the runtime runs it. */
export function SimulatorPanel({ controls }: { controls: SimulatorControls }) {
  const { status, busy, setScenario, dropout } = controls;
  const now = useNow();
  const dropoutLeftS =
    status?.dropoutUntil != null && status.dropoutUntil > now ? Math.ceil((status.dropoutUntil - now) / 1000) : 0;
  return (
    <section className="panel simulator" aria-label="Simulator" data-testid="simulator-panel">
      <div className="panel__header">
        <h2 className="panel__title">Simulator</h2>
      </div>
      <div className="simulator__buttons">
        {scenarioNames.map((name) => {
          const on = status?.scenarios[name] ?? false;
          return (
            <GuardedButton permission="simulator.control"
              key={name}
              type="button"
              className={`toggle${on ? ' toggle--on' : ''}`}
              data-testid={`sim-${name}`}
              aria-pressed={on}
              disabled={status === null || busy}
              onClick={() => setScenario(name, !on)}
            >
              <span className="toggle__label">{SCENARIO_LABELS[name]}</span>
              <span className="toggle__state">{on ? 'ON' : 'OFF'}</span>
            </GuardedButton>
          );
        })}
        <GuardedButton permission="simulator.control"
          type="button"
          className={`toggle${dropoutLeftS > 0 ? ' toggle--on' : ''}`}
          data-testid="sim-dropout"
          disabled={status === null || busy}
          onClick={dropout}
        >
          <span className="toggle__label">Dropout {DROPOUT_SECONDS} s</span>
          <span className="toggle__state">{dropoutLeftS > 0 ? `${dropoutLeftS} s left` : 'Start'}</span>
        </GuardedButton>
      </div>
    </section>
  );
}
