/**
 * Machine conditions of work instructions (shared/condition-expression.ts): parsing
 * with the column of an error, and evaluation that never takes a value of bad quality as met.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluate, ExpressionError, parseExpression, tagsOf, type ConditionInput } from '../../shared/condition-expression';
import type { TagScalar } from '../../shared/types';

const live = (values: Record<string, TagScalar | [TagScalar, boolean]>) => (id: string): ConditionInput | undefined => {
  const v = values[id];
  if (v === undefined) return undefined;
  return Array.isArray(v) ? { value: v[0], good: v[1] } : { value: v, good: true };
};

test('1. precedence: ! before comparisons before && before ||; parentheses; the tags read', () => {
  const e = parseExpression('L1.State == 2 && L1.RunCommand == false || !(L1.Jam)');
  assert.deepEqual(tagsOf(e), ['L1.State', 'L1.RunCommand', 'L1.Jam']);
  assert.deepEqual(evaluate(e, live({ 'L1.State': 2, 'L1.RunCommand': false, 'L1.Jam': true })), { met: true });
  assert.deepEqual(evaluate(e, live({ 'L1.State': 1, 'L1.RunCommand': false, 'L1.Jam': false })), { met: true });
  const f = evaluate(e, live({ 'L1.State': 1, 'L1.RunCommand': false, 'L1.Jam': true }));
  assert.equal(f.met, false);
  assert.match(!f.met ? f.why : '', /L1\.State is 1, needs == 2/);
});

test('2. comparisons of numbers, booleans as 0/1, text; literals', () => {
  const check = (text: string, values: Record<string, TagScalar>) => evaluate(parseExpression(text), live(values)).met;
  assert.equal(check('T >= 180 && T <= 195', { T: 185.5 }), true);
  assert.equal(check('T > 195', { T: 195 }), false);
  assert.equal(check('B == 1', { B: true }), true);
  assert.equal(check('P == "MU500"', { P: 'MU500' }), true);
  assert.equal(check('P != "MU500"', { P: 'GR400' }), true);
  assert.equal(check('X < -1.5e1', { X: -20 }), true);
});

test('3. not met while any tag it reads is not good or has no value: the reason names the tag', () => {
  const e = parseExpression('L1.Running == false && L1.RunCommand == false');
  const bad = evaluate(e, live({ 'L1.Running': [false, false], 'L1.RunCommand': false }));
  assert.deepEqual(bad, { met: false, why: 'L1.Running is not of good quality' });
  const none = evaluate(e, live({ 'L1.Running': false }));
  assert.deepEqual(none, { met: false, why: 'L1.RunCommand has no value yet' });
  // even when the expression would be true without that tag: a bad value proves nothing
  assert.equal(evaluate(parseExpression('A == 1 || B == 1'), live({ A: 1, B: [0, false] })).met, false);
});

test('4. errors name the column', () => {
  const col = (text: string) => {
    try {
      parseExpression(text);
      return null;
    } catch (err) {
      assert.ok(err instanceof ExpressionError);
      return err.column;
    }
  };
  assert.equal(col('A == '), 6);
  assert.equal(col('A == 1 &&'), 10);
  assert.equal(col('(A == 1'), 8);
  assert.equal(col('A # 1'), 3);
  assert.equal(col('A == 1 B'), 8);
  assert.equal(col('"open'), 1);
  assert.equal(col(''), 1);
  assert.equal(col('A == 1'), null);
});
