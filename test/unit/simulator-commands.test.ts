import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSimulatorCommand } from '../../main/simulator/console-commands';

test('1. scenario commands take on/off and map to the API names', () => {
  assert.deepEqual(parseSimulatorCommand('wear on'), { kind: 'scenario', scenario: 'bearingWear', on: true });
  assert.deepEqual(parseSimulatorCommand('  STUCK   off '), { kind: 'scenario', scenario: 'stuckSensor', on: false });
  assert.deepEqual(parseSimulatorCommand('jam on'), { kind: 'scenario', scenario: 'jam', on: true });
  assert.equal(parseSimulatorCommand('jam').kind, 'invalid');
  assert.equal(parseSimulatorCommand('jam maybe').kind, 'invalid');
});

test('2. dropout takes a positive number of seconds', () => {
  assert.deepEqual(parseSimulatorCommand('dropout 2.5'), { kind: 'dropout', seconds: 2.5 });
  for (const bad of ['dropout', 'dropout 0', 'dropout -1', 'dropout x', 'dropout 3601', 'dropout 1 2']) {
    assert.equal(parseSimulatorCommand(bad).kind, 'invalid', bad);
  }
});

test('3. status, help, quit/exit; blank lines and unknown words', () => {
  assert.deepEqual(parseSimulatorCommand('status'), { kind: 'status' });
  assert.deepEqual(parseSimulatorCommand('help'), { kind: 'help' });
  assert.deepEqual(parseSimulatorCommand('quit'), { kind: 'quit' });
  assert.deepEqual(parseSimulatorCommand('exit'), { kind: 'quit' });
  assert.deepEqual(parseSimulatorCommand('   '), { kind: 'empty' });
  assert.equal(parseSimulatorCommand('status now').kind, 'invalid');
  const unknown = parseSimulatorCommand('explode');
  assert.equal(unknown.kind, 'invalid');
  assert.match(unknown.kind === 'invalid' ? unknown.message : '', /unknown command "explode"/);
});
