/**
 * npm run bench -- <scenario>   (no scenario: all of them)
 * Each scenario prints one JSON line per measured case on stdout; progress goes to stderr.
 */
import { run as acquisition } from './scenarios/acquisition';
import { run as pipeline } from './scenarios/pipeline';
import { run as historian } from './scenarios/historian';
import { run as alarms } from './scenarios/alarms';
import { run as sync } from './scenarios/sync';
import { run as trends } from './scenarios/trends';
import { run as security } from './scenarios/security';
import { run as heavyQueries } from './scenarios/heavy-queries';
import { run as instructions } from './scenarios/instructions';
import { run as production } from './scenarios/production';
import { run as site } from './scenarios/site';

const scenarios: Record<string, () => Promise<void>> = { pipeline, acquisition, historian, alarms, sync, trends, security, 'heavy-queries': heavyQueries, instructions, production, site };

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  for (const name of wanted) {
    if (!(name in scenarios)) {
      process.stderr.write(`unknown scenario "${name}"; scenarios: ${Object.keys(scenarios).join(', ')}\n`);
      process.exit(2);
    }
  }
  for (const name of wanted.length > 0 ? wanted : Object.keys(scenarios)) await scenarios[name]();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
