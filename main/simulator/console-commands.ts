/**
 * The standalone simulator's console commands, parsed apart from any stream so they can be
 * tested and reused (e.g. by a debug console) without a terminal.
 */
import type { ScenarioName } from '../../shared/api';

export type SimulatorCommand =
  | { kind: 'scenario'; scenario: ScenarioName; on: boolean }
  | { kind: 'dropout'; seconds: number }
  | { kind: 'status' }
  | { kind: 'help' }
  | { kind: 'quit' };

export type ParsedCommand = SimulatorCommand | { kind: 'empty' } | { kind: 'invalid'; message: string };

/** Short names an operator types; the API uses the long ones. */
const scenarioWords: Record<string, ScenarioName> = {
  wear: 'bearingWear',
  bearingwear: 'bearingWear',
  stuck: 'stuckSensor',
  stucksensor: 'stuckSensor',
  jam: 'jam',
};

/** Longest dropout accepted, the same bound as the `simulator.dropout` API method. */
export const MAX_DROPOUT_SECONDS = 3600;

export const commandHelp = [
  'wear on|off      bearing wear: vibration and temperature creep up',
  'stuck on|off     bearing temperature sensor frozen at its current value',
  'jam on|off       jam at infeed: faulted, fault code 101, speed 0',
  'dropout <s>      both servers stop answering for <s> seconds',
  'status           scenarios, dropout and endpoints as JSON',
  'quit             stop the simulator',
].join('\n');

export function parseSimulatorCommand(line: string): ParsedCommand {
  const words = line.trim().toLowerCase().split(/\s+/).filter((w) => w.length > 0);
  if (words.length === 0) return { kind: 'empty' };
  const [verb, arg, ...rest] = words;
  if (rest.length > 0) return { kind: 'invalid', message: `too many words in "${line.trim()}"` };

  const scenario = scenarioWords[verb];
  if (scenario !== undefined) {
    if (arg === 'on' || arg === 'off') return { kind: 'scenario', scenario, on: arg === 'on' };
    return { kind: 'invalid', message: `"${verb}" needs on or off` };
  }
  switch (verb) {
    case 'dropout': {
      const seconds = Number(arg);
      if (arg === undefined || !Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_DROPOUT_SECONDS) {
        return { kind: 'invalid', message: `"dropout" needs a number of seconds, 0 < s <= ${MAX_DROPOUT_SECONDS}` };
      }
      return { kind: 'dropout', seconds };
    }
    case 'status':
    case 'help':
    case 'quit':
      if (arg !== undefined) return { kind: 'invalid', message: `"${verb}" takes no argument` };
      return { kind: verb };
    case 'exit':
      return arg === undefined ? { kind: 'quit' } : { kind: 'invalid', message: '"exit" takes no argument' };
    default:
      return { kind: 'invalid', message: `unknown command "${verb}" (try help)` };
  }
}
