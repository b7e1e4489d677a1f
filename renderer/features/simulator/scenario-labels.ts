import type { ScenarioName } from '../../../shared/api';

export const SCENARIO_LABELS: Record<ScenarioName, string> = {
  bearingWear: 'Bearing wear',
  stuckSensor: 'Stuck sensor',
  jam: 'Jam',
};

export const DROPOUT_SECONDS = 10;
