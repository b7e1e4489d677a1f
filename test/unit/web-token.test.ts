/**
 * The token that guards a non-loopback bind of the headless shell must be strong: at least 24
 * characters, not trivially repetitive. A weak one is refused by the CLI (exit 2, saying why,
 * never echoing the token) and by the web shell itself; loopback binds are not affected.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { main, parseHeadlessArgs } from '../../main/cli/headless';
import { UsageError } from '../../main/cli/args';
import { listenWeb, ListenError } from '../../main/shell/web';
import { MIN_TOKEN_LENGTH, tokenWeakness } from '../../main/shell/web-security';

const STRONG = 'q7Vd-2kLw9xZpR4mT8bN1cYh';

test('1. weak tokens are named as such, with the reason; strong and generated ones pass', () => {
  assert.equal(MIN_TOKEN_LENGTH, 24);
  assert.match(tokenWeakness('x')!, /the token has 1 character; at least 24 are required/);
  assert.match(tokenWeakness('s3cret-token')!, /12 characters/);
  assert.match(tokenWeakness('a'.repeat(40))!, /only 1 different characters/);
  assert.match(tokenWeakness('abababababababababababab12')!, /only 4 different characters/);
  assert.match(tokenWeakness('abcdefgh'.repeat(3))!, /repeats the same 8 characters/);
  assert.match(tokenWeakness('password1234'.repeat(2))!, /repeats the same 12 characters/);
  assert.match(tokenWeakness('abcdefghijklmnopqrstuvwxyz')!, /run of consecutive characters/);
  assert.match(tokenWeakness('zyxwvutsrqponmlkjihgfedcba')!, /run of consecutive characters/);
  assert.equal(tokenWeakness(STRONG), null);
  for (let i = 0; i < 200; i++) assert.equal(tokenWeakness(randomBytes(24).toString('base64url')), null, 'the generated kind');
});

test('2. the CLI refuses a weak --token or LINESIDE_TOKEN for a non-loopback bind, with exit code 2 and without echoing it', async () => {
  assert.throws(() => parseHeadlessArgs(['--listen', '0.0.0.0:8080', '--token', 'x']), (err: unknown) => {
    assert.ok(err instanceof UsageError);
    assert.match(err.message, /^--token is too weak for 0\.0\.0\.0 \(not loopback\): the token has 1 character; at least 24 are required/);
    return true;
  });
  const saved = process.env.LINESIDE_TOKEN;
  const written: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  try {
    process.env.LINESIDE_TOKEN = 'hunter2hunter2hunter2hunter2';
    assert.throws(() => parseHeadlessArgs(['--listen', '10.0.0.5:8080']), /^UsageError: LINESIDE_TOKEN is too weak for 10\.0\.0\.5 \(not loopback\): the token has only 7 different characters/);
    delete process.env.LINESIDE_TOKEN;
    process.stderr.write = ((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    const code = await main(['--listen', '0.0.0.0:0', '--token', 'tooshort']);
    process.stderr.write = write;
    assert.equal(code, 2);
    assert.match(written.join(''), /lineside: --token is too weak for 0\.0\.0\.0 \(not loopback\): the token has 8 characters/);
    assert.doesNotMatch(written.join(''), /tooshort/, 'the token itself is not printed');
  } finally {
    process.stderr.write = write;
    if (saved === undefined) delete process.env.LINESIDE_TOKEN;
    else process.env.LINESIDE_TOKEN = saved;
  }
  // strong, or on loopback (where a token is optional), or generated (unset): accepted
  assert.equal(parseHeadlessArgs(['--listen', '0.0.0.0:8080', '--token', STRONG]).token, STRONG);
  assert.equal(parseHeadlessArgs(['--listen', '127.0.0.1:8080', '--token', 'x']).token, 'x');
  assert.equal(parseHeadlessArgs(['--listen', '0.0.0.0:8080']).token, undefined);
});

test('3. the web shell itself refuses a weak token for a non-loopback bind before taking the port', async () => {
  await assert.rejects(listenWeb({ host: '0.0.0.0', port: 0, rendererDir: '.', token: 'x' }), (err: unknown) => {
    assert.ok(err instanceof ListenError);
    assert.equal(err.code, 'weak_token');
    assert.match(err.message, /refusing to listen on 0\.0\.0\.0:0 with a weak token: the token has 1 character/);
    return true;
  });
});
