/**
 * The tag picker's search (renderer/features/trends/tag-search.ts): every word of the query must
 * appear, case-insensitively, in the tag's name, id, description, units or device; string tags
 * can never be trended and are never offered.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { searchTags } from '../../renderer/features/trends/tag-search';
import type { TagInfo } from '../../shared/types';

function tag(over: Partial<TagInfo> & Pick<TagInfo, 'id'>): TagInfo {
  return {
    name: over.id,
    description: '',
    deviceId: 'plc1',
    dataType: 'float64',
    units: '',
    scanMs: 1000,
    decimals: 1,
    writable: false,
    address: 'HR0',
    ...over,
  };
}

const TAGS: TagInfo[] = [
  tag({ id: 'L1.Speed', name: 'Line 1 speed', description: 'Conveyor belt speed', units: 'packs/min', deviceId: 'filler' }),
  tag({ id: 'L1.BearingTemp', name: 'Bearing temperature', description: 'Main drive bearing', units: '°C', deviceId: 'filler' }),
  tag({ id: 'L2.Running', name: 'Line 2 running', description: 'Motor run feedback', dataType: 'bool', deviceId: 'capper' }),
  tag({ id: 'L2.Recipe', name: 'Line 2 recipe', description: 'Active recipe name (speed profile)', dataType: 'string', deviceId: 'capper' }),
  tag({ id: 'L2.Count', name: 'Good count', description: 'Packs since shift start', dataType: 'uint32', units: 'packs', deviceId: 'capper' }),
];

const ids = (query: string): string[] => searchTags(TAGS, query).map((t) => t.id);

test('1. an empty or blank query offers every trendable tag, in project order, never a string tag', () => {
  const all = ['L1.Speed', 'L1.BearingTemp', 'L2.Running', 'L2.Count'];
  assert.deepEqual(ids(''), all);
  assert.deepEqual(ids('   \t '), all);
});

test('2. one word matches the name, id, description, units or device, whatever the case', () => {
  assert.deepEqual(ids('bearing'), ['L1.BearingTemp'], 'name and description');
  assert.deepEqual(ids('l1.'), ['L1.Speed', 'L1.BearingTemp'], 'id');
  assert.deepEqual(ids('CONVEYOR'), ['L1.Speed'], 'description');
  assert.deepEqual(ids('°c'), ['L1.BearingTemp'], 'units');
  assert.deepEqual(ids('Capper'), ['L2.Running', 'L2.Count'], 'device');
  assert.deepEqual(ids('PACKS'), ['L1.Speed', 'L2.Count'], 'units of one, description of the other');
  assert.deepEqual(ids('spe'), ['L1.Speed'], 'a part of a word');
});

test('3. several words: every one must match, in any field and any order', () => {
  assert.deepEqual(ids('line speed'), ['L1.Speed']);
  assert.deepEqual(ids('speed line'), ['L1.Speed']);
  assert.deepEqual(ids('filler °C'), ['L1.BearingTemp'], 'device and units');
  assert.deepEqual(ids('  capper   motor '), ['L2.Running'], 'extra spaces');
  assert.deepEqual(ids('capper speed'), [], 'the only capper tag mentioning speed is a string tag');
  assert.deepEqual(ids('line 1 speed nothing'), [], 'one word missing: no match');
});

test('4. string tags are never offered, even when they match', () => {
  assert.deepEqual(ids('recipe'), []);
  assert.deepEqual(ids('L2.Recipe'), []);
  const strings = [tag({ id: 'Batch', dataType: 'string' }), tag({ id: 'BatchNo', dataType: 'uint16' })];
  assert.deepEqual(searchTags(strings, 'batch').map((t) => t.id), ['BatchNo']);
});

test('5. the search returns the tags themselves and leaves the list as it was', () => {
  const before = TAGS.map((t) => t.id);
  const hits = searchTags(TAGS, 'filler');
  assert.equal(hits[0], TAGS[0]);
  assert.deepEqual(TAGS.map((t) => t.id), before);
  assert.deepEqual(searchTags([], 'x'), []);
});
