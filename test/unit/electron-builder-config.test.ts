/**
 * electron-builder.yml carries security decisions (fuses, no update feed, signing); this pins
 * them so that a change shows up as a failing test, not as a quieter installer.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';

function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name === 'lineside') return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json named "lineside" above ${from}`);
  }
}

interface BuilderConfig {
  appId?: unknown;
  productName?: unknown;
  directories?: { output?: unknown };
  files?: unknown;
  asar?: unknown;
  asarUnpack?: unknown;
  npmRebuild?: unknown;
  electronFuses?: Record<string, unknown>;
  publish?: unknown;
  linux?: { target?: unknown; publish?: unknown };
  win?: { target?: unknown; forceCodeSigning?: unknown; publish?: unknown; certificateFile?: unknown; certificatePassword?: unknown };
  nsis?: { oneClick?: unknown; perMachine?: unknown };
}

const root = findRepoRoot(__dirname);
const text = readFileSync(join(root, 'electron-builder.yml'), 'utf8');
const config = parse(text) as BuilderConfig;

function strings(value: unknown): string[] {
  assert.ok(Array.isArray(value), `expected a list, got ${JSON.stringify(value)}`);
  return value.map((v) => (typeof v === 'string' ? v : (v as { target?: unknown }).target)).filter((v): v is string => typeof v === 'string');
}

test('identity and output folder', () => {
  assert.equal(config.appId, 'com.lineside.hmi');
  assert.equal(config.productName, 'Lineside');
  assert.equal(config.directories?.output, 'release');
});

test('hardening fuses are set (key names as electron-builder FuseOptionsV1 spells them)', () => {
  assert.deepEqual(config.electronFuses, {
    runAsNode: false,
    enableCookieEncryption: true,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    grantFileProtocolExtraPrivileges: false,
  });
});

test('the app is packed in an asar, with native modules unpacked and rebuilt for Electron', () => {
  assert.equal(config.asar, true);
  assert.ok(strings(config.asarUnpack).includes('**/*.node'), 'native addons must be unpacked');
  assert.equal(config.npmRebuild, true);
});

test('no update feed or publish provider anywhere (the PCs are offline)', () => {
  assert.ok('publish' in config, 'publish must be set explicitly (to null)');
  assert.equal(config.publish, null);
  assert.equal(config.linux?.publish ?? null, null);
  assert.equal(config.win?.publish ?? null, null);
  assert.doesNotMatch(text, /provider\s*:/, 'no publish provider may be configured');
});

test('files: the built app and the projects, not tests or benchmarks', () => {
  const files = strings(config.files);
  assert.ok(files.includes('dist/**'), 'dist/** is packed');
  assert.ok(files.includes('projects/**'), 'projects/** is packed');
  assert.ok(files.includes('package.json'));
  assert.ok(files.includes('!dist/test/**'), 'compiled tests are left out');
  assert.ok(files.includes('!dist/bench/**'), 'compiled benchmarks are left out');
  assert.ok(files.includes('!dist/renderer/features/**'), 'renderer modules compiled for unit tests are left out (the bundle is packed)');
});

test('targets: deb and AppImage on Linux, a per-machine NSIS installer on Windows', () => {
  assert.deepEqual(strings(config.linux?.target).sort(), ['AppImage', 'deb']);
  assert.deepEqual(strings(config.win?.target), ['nsis']);
  assert.equal(config.nsis?.oneClick, false);
  assert.equal(config.nsis?.perMachine, true);
});

test('Windows builds must be signed, with the certificate from the environment, never the repo', () => {
  assert.equal(config.win?.forceCodeSigning, true);
  assert.equal(config.win?.certificateFile, undefined, 'the certificate comes from CSC_LINK');
  assert.equal(config.win?.certificatePassword, undefined, 'the password comes from CSC_KEY_PASSWORD');
  assert.doesNotMatch(text, /\.(pfx|p12)\b/i, 'no certificate file is referenced');
});
