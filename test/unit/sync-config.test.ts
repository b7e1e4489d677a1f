/**
 * The project file's `sync:` section: defaults, several sinks, what is refused (with the line),
 * and the TLS files, checked when the project loads and resolved against its folder.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadProjectFile, parseProjectText, ProjectFileError } from '../../main/config/project-loader';
import { syncOptionsOf } from '../../main/app/sync-wiring';
import { tempDir } from '../helpers/temp';

const base = `version: 1
name: Test line
site: Plant 7
line: L2
devices:
  - { id: plc, protocol: modbus-tcp, host: 127.0.0.1 }
tags:
  - { id: T1, device: plc, address: HR10, dataType: float32 }
`;

function issues(text: string, file = 'line.yaml'): ProjectFileError['issues'] {
  try {
    parseProjectText(text, file);
  } catch (err) {
    assert.ok(err instanceof ProjectFileError, String(err));
    return err.issues;
  }
  assert.fail('expected the project to be refused');
}

test('1. no sync section: no sinks, defaults in place', () => {
  const p = parseProjectText(base);
  assert.deepEqual(p.sync.sinks, []);
  assert.equal(p.sync.outboxQuotaMB, 1024);
  assert.equal(p.sync.bandwidthBytesPerSecond, null);
});

test('2. two sinks at once, with their defaults; the runtime options follow', () => {
  const p = parseProjectText(`${base}sync:
  bandwidthBytesPerSecond: 50000
  outboxQuotaMB: 64
  liveWindowS: 5
  sinks:
    - id: plant-broker
      type: mqtt
      url: mqtt://broker.plant:1883
      username: line2
      passwordEnv: LINE2_MQTT_PASSWORD
    - id: collector
      type: http
      url: http://collector.plant:8080/v1/ingest
      tokenEnv: COLLECTOR_TOKEN
      streams: [alarm, audit]
`);
  const [m, h] = p.sync.sinks;
  assert.ok(m.type === 'mqtt' && h.type === 'http');
  assert.deepEqual([m.topicPrefix, m.ack, m.keepaliveS, m.streams], ['lineside', 'receiver', 30, ['alarm', 'event', 'audit', 'instruction', 'maintenance', 'downtime', 'sample']]);
  assert.deepEqual([h.timeoutS, h.streams], [30, ['alarm', 'audit']]);
  const o = syncOptionsOf(p);
  assert.deepEqual([o.site, o.line, o.outboxQuotaBytes, o.bandwidthBytesPerSecond, o.liveWindowMs], ['Plant 7', 'L2', 64 * 1024 * 1024, 50_000, 5000]);
});

test('3. mistakes are refused with their place: bad URL, duplicate ids, secrets twice, TLS without mqtts', () => {
  const found = issues(`${base}sync:
  sinks:
    - { id: a, type: mqtt, url: "http://broker:1883" }
    - { id: b, type: mqtt, url: "mqtt://broker", username: u, password: p, passwordEnv: P }
    - { id: b, type: http, url: "http://x/ingest", token: "0123456789", tokenEnv: T }
    - { id: c, type: mqtt, url: "mqtt://broker", tls: { ca: ca.pem } }
    - { id: d, type: mqtt, url: "mqtts://broker", tls: { cert: client.pem } }
    - { id: e, type: ftp, url: "ftp://x" }
`);
  const by = (path: string) => found.find((i) => i.path === path);
  assert.match(by('sync.sinks[0].url')?.message ?? '', /mqtt:\/\/host/);
  assert.equal(by('sync.sinks[0].url')?.line, 11);
  assert.match(by('sync.sinks[1].passwordEnv')?.message ?? '', /not both/);
  assert.match(by('sync.sinks[2].tokenEnv')?.message ?? '', /not both/);
  assert.match(by('sync.sinks[3].tls')?.message ?? '', /mqtts:\/\//);
  assert.match(by('sync.sinks[4].tls.key')?.message ?? '', /needs its key/);
  assert.ok(by('sync.sinks[5].type'), JSON.stringify(found));
  const dup = issues(`${base}sync:
  sinks:
    - { id: b, type: mqtt, url: "mqtt://broker" }
    - { id: b, type: http, url: "http://x/ingest" }
`);
  assert.deepEqual(
    dup.map((i) => [i.path, i.message]),
    [['sync.sinks[1].id', 'duplicate sink id "b"']],
  );
  const shared = issues(`${base}sync:
  sinks:
    - { id: a, type: mqtt, url: "mqtt://broker" }
    - { id: b, type: mqtt, url: "mqtt://broker/" }
`);
  assert.match(shared[0]?.message ?? '', /sink "a" already uses mqtt:\/\/broker\/ with topic prefix "lineside"/);
});

test('4. TLS files: checked when the project loads, relative to its folder, handed on absolute', () => {
  const { dir, cleanup } = tempDir();
  try {
    mkdirSync(join(dir, 'pki'));
    writeFileSync(join(dir, 'pki', 'ca.pem'), '-----BEGIN CERTIFICATE-----\n');
    writeFileSync(join(dir, 'pki', 'client.pem'), 'x');
    const file = join(dir, 'line.yaml');
    writeFileSync(
      file,
      `${base}sync:
  sinks:
    - id: secure
      type: mqtt
      url: mqtts://broker.plant:8883
      tls: { ca: pki/ca.pem, cert: pki/client.pem, key: pki/client.key }
`,
    );
    assert.throws(
      () => loadProjectFile(file),
      (err: unknown) => {
        assert.ok(err instanceof ProjectFileError);
        assert.equal(err.issues.length, 1);
        assert.equal(err.issues[0].path, 'sync.sinks[0].tls.key');
        assert.match(err.issues[0].message, /client\.key: no such file/);
        assert.equal(err.issues[0].line, 14);
        return true;
      },
    );
    writeFileSync(join(dir, 'pki', 'client.key'), 'k');
    const p = loadProjectFile(file);
    const tls = p.sync.sinks[0].tls!;
    assert.deepEqual([tls.ca, tls.cert, tls.key, tls.rejectUnauthorized], [join(dir, 'pki', 'ca.pem'), join(dir, 'pki', 'client.pem'), join(dir, 'pki', 'client.key'), true]);
  } finally {
    cleanup();
  }
});
