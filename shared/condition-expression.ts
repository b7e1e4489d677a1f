/**
 * Machine conditions of work-instruction steps: a small expression language over live tag
 * values, e.g. `L1.State == 2 && L1.RunCommand == false` or `L1.SealTemp >= 180 && !L1.Jam`.
 *
 *   expr    := or
 *   or      := and ( '||' and )*
 *   and     := unary ( '&&' unary )*
 *   unary   := '!' unary | compare
 *   compare := operand ( ( '==' | '!=' | '<' | '<=' | '>' | '>=' ) operand )?
 *   operand := tag | number | 'true' | 'false' | "string" | '(' expr ')'
 *
 * A condition is met only when every tag it reads has good quality: a value with bad or
 * uncertain quality is never taken as proof that the machine is in a state. Parse errors name
 * the column; unknown tags are found when the instruction is loaded, not when a run waits.
 */
import type { TagScalar } from './types';

export type Expr =
  | { type: 'tag'; tagId: string }
  | { type: 'literal'; value: TagScalar }
  | { type: 'not'; operand: Expr }
  | { type: 'and' | 'or'; left: Expr; right: Expr }
  | { type: 'compare'; op: CompareOp; left: Expr; right: Expr };
export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

export class ExpressionError extends Error {
  constructor(
    message: string,
    readonly column: number,
  ) {
    super(`${message} (at column ${column})`);
    this.name = 'ExpressionError';
  }
}

type Token = { kind: 'op'; text: string; at: number } | { kind: 'tag'; text: string; at: number } | { kind: 'literal'; value: TagScalar; at: number } | { kind: 'end'; at: number };

const OPERATORS = ['&&', '||', '==', '!=', '<=', '>=', '<', '>', '!', '(', ')'];

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n') {
      i++;
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (op !== undefined) {
      tokens.push({ kind: 'op', text: op, at: i + 1 });
      i += op.length;
      continue;
    }
    const num = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (num) {
      tokens.push({ kind: 'literal', value: Number(num[0]), at: i + 1 });
      i += num[0].length;
      continue;
    }
    if (c === '"') {
      const end = text.indexOf('"', i + 1);
      if (end < 0) throw new ExpressionError('a string is not closed', i + 1);
      tokens.push({ kind: 'literal', value: text.slice(i + 1, end), at: i + 1 });
      i = end + 1;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_.-]*/.exec(text.slice(i));
    if (word) {
      const w = word[0];
      if (w === 'true' || w === 'false') tokens.push({ kind: 'literal', value: w === 'true', at: i + 1 });
      else tokens.push({ kind: 'tag', text: w, at: i + 1 });
      i += w.length;
      continue;
    }
    throw new ExpressionError(`unexpected "${c}"`, i + 1);
  }
  tokens.push({ kind: 'end', at: text.length + 1 });
  return tokens;
}

export function parseExpression(text: string): Expr {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = () => tokens[pos];
  const isOp = (t: Token, op: string) => t.kind === 'op' && t.text === op;

  const operand = (): Expr => {
    const t = tokens[pos++];
    if (t.kind === 'literal') return { type: 'literal', value: t.value };
    if (t.kind === 'tag') return { type: 'tag', tagId: t.text };
    if (isOp(t, '(')) {
      const e = or();
      if (!isOp(peek(), ')')) throw new ExpressionError('expected ")"', peek().at);
      pos++;
      return e;
    }
    throw new ExpressionError(t.kind === 'end' ? 'the expression ends too early' : `expected a tag, a number, true/false or "(", got "${t.kind === 'op' ? t.text : ''}"`, t.at);
  };
  const compare = (): Expr => {
    const left = operand();
    const t = peek();
    if (t.kind === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(t.text)) {
      pos++;
      return { type: 'compare', op: t.text as CompareOp, left, right: operand() };
    }
    return left;
  };
  const unary = (): Expr => {
    if (isOp(peek(), '!')) {
      pos++;
      return { type: 'not', operand: unary() };
    }
    return compare();
  };
  const and = (): Expr => {
    let left = unary();
    while (isOp(peek(), '&&')) {
      pos++;
      left = { type: 'and', left, right: unary() };
    }
    return left;
  };
  const or = (): Expr => {
    let left = and();
    while (isOp(peek(), '||')) {
      pos++;
      left = { type: 'or', left, right: and() };
    }
    return left;
  };
  if (text.trim() === '') throw new ExpressionError('the expression is empty', 1);
  const e = or();
  if (peek().kind !== 'end') throw new ExpressionError('unexpected text after the expression', peek().at);
  return e;
}

/** Every tag an expression reads, in order of first appearance. */
export function tagsOf(e: Expr, into: string[] = []): string[] {
  switch (e.type) {
    case 'tag':
      if (!into.includes(e.tagId)) into.push(e.tagId);
      break;
    case 'literal':
      break;
    case 'not':
      tagsOf(e.operand, into);
      break;
    default:
      tagsOf(e.left, into);
      tagsOf(e.right, into);
  }
  return into;
}

/** A tag's live value as the condition sees it. */
export interface ConditionInput {
  value: TagScalar | null;
  good: boolean;
}

export type Evaluation = { met: true } | { met: false; why: string };

/**
 * Whether the condition holds now. Not met when any tag it reads is missing or not good (the
 * reason says which); otherwise its value, with the first false comparison as the reason.
 */
export function evaluate(e: Expr, read: (tagId: string) => ConditionInput | undefined): Evaluation {
  for (const tagId of tagsOf(e)) {
    const v = read(tagId);
    if (v === undefined || v.value === null) return { met: false, why: `${tagId} has no value yet` };
    if (!v.good) return { met: false, why: `${tagId} is not of good quality` };
  }
  const why: string[] = [];
  const value = (x: Expr): TagScalar => {
    switch (x.type) {
      case 'tag':
        return read(x.tagId)!.value as TagScalar;
      case 'literal':
        return x.value;
      case 'not':
        return !truthy(value(x.operand));
      case 'and':
        return truthy(value(x.left)) && truthy(value(x.right));
      case 'or':
        return truthy(value(x.left)) || truthy(value(x.right));
      case 'compare': {
        const l = value(x.left);
        const r = value(x.right);
        const ok = compareValues(x.op, l, r);
        if (!ok && why.length === 0) why.push(`${describe(x.left, l)} is ${show(l)}, needs ${x.op} ${show(r)}`);
        return ok;
      }
    }
  };
  const met = truthy(value(e));
  if (met) return { met: true };
  return { met: false, why: why[0] ?? 'the condition is false' };
}

function truthy(v: TagScalar): boolean {
  return typeof v === 'string' ? v !== '' : Boolean(v);
}

function compareValues(op: CompareOp, l: TagScalar, r: TagScalar): boolean {
  // Booleans and numbers compare as numbers (a PLC bit may be read as 0/1); text as text.
  const num = (v: TagScalar) => (typeof v === 'boolean' ? (v ? 1 : 0) : v);
  const a = typeof l === 'string' || typeof r === 'string' ? String(l) : num(l);
  const b = typeof l === 'string' || typeof r === 'string' ? String(r) : num(r);
  switch (op) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
}

function describe(x: Expr, v: TagScalar): string {
  return x.type === 'tag' ? x.tagId : show(v);
}

function show(v: TagScalar): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}
