import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { contentSecurityPolicy } from '../../main/shell/electron-policy';
import { SECURITY_HEADERS } from '../../main/shell/web-security';
import { repoRoot } from '../helpers/temp';

test('1. the renderer page carries the same CSP as both shells send (frame-ancestors is header-only)', () => {
  const html = readFileSync(join(repoRoot(), 'renderer', 'index.html'), 'utf8');
  const meta = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1];
  assert.ok(meta, 'index.html has a CSP meta tag');
  const headerOnly = (d: string) => d.startsWith('frame-ancestors');
  const directives = (p: string) => p.split(';').map((d) => d.trim()).filter((d) => d && !headerOnly(d)).sort();
  assert.deepEqual(directives(meta), directives(contentSecurityPolicy));
  assert.equal(SECURITY_HEADERS['Content-Security-Policy'], contentSecurityPolicy);
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)/, 'no inline scripts');
  assert.doesNotMatch(html, /style="/, 'no inline styles');
});
