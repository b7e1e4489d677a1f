/**
 * Signed instruction packages between two line PCs: two runtimes (two data dirs, each with its
 * own package key and trust list) on the demo project with its instructions, both polling the
 * simulator's real servers, through the real API with real users and signatures:
 *
 *   1. PC A: WI-OPS-001 approved (engineer + supervisor) and released, then exported; a draft
 *      is not exported;
 *   2. PC B refuses the package (unknown key, its fingerprint named); an operator may not trust
 *      keys; an engineer trusts A's key (signed); B imports it: approved with A's approvals
 *      recorded, not running until released here (signed); then it runs to the end;
 *   3. a tampered package (one byte of the definition) is refused; the refusals, the trust and the
 *      import are in B's audit trail; removing the key (signed, with a reason) refuses A's
 *      packages again.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startRuntime } from '../../main/app/runtime';
import type { RuntimeHost } from '../../main/app/runtime-host';
import { startSimulator, type SimulatedLine } from '../../main/simulator/simulator';
import type { PackageExport } from '../../shared/instruction-packages';
import { admin, APPROVE_SIGNATURE as approveSig, releaseInstruction, signedIn, TEST_PASSWORD, type TestConnection } from '../helpers/runtime-session';
import { writeDemoProjectFor } from '../helpers/simulated-project';
import { tempDir, waitFor } from '../helpers/temp';

const tmp = tempDir();
let sim: SimulatedLine;
let pcA: RuntimeHost;
let pcB: RuntimeHost;
let a: { engineer: TestConnection; supervisor: TestConnection };
let b: { engineer: TestConnection; operator: TestConnection };
let exported: PackageExport;

before(async () => {
  sim = await startSimulator({ pkiDir: join(tmp.dir, 'sim-pki'), log: () => undefined, idlePeriods: false });
  const file = writeDemoProjectFor(sim, tmp.dir);
  pcA = await startRuntime({ projectFile: file, dataDir: join(tmp.dir, 'pc-a'), shell: 'headless' });
  pcB = await startRuntime({ projectFile: file, dataDir: join(tmp.dir, 'pc-b'), shell: 'headless' });
  a = { engineer: await signedIn(pcA, ['engineer'], 'eve'), supervisor: await signedIn(pcA, ['supervisor'], 'sam') };
  b = { engineer: await signedIn(pcB, ['engineer'], 'ed'), operator: await signedIn(pcB, ['operator'], 'olga') };
});

after(async () => {
  await pcA?.close();
  await pcB?.close();
  await sim?.stop();
  tmp.cleanup();
});

async function hashOf(c: TestConnection, id: string): Promise<string> {
  return (await c.call('instructions.list', {})).find((i) => i.id === id)!.versions[0].hash;
}

const decode = (e: PackageExport) => Buffer.from(e.data, 'base64').toString('utf8');

test('1. PC A: approved and released, exported as one signed file; a draft is not exported', async () => {
  const draft = await a.engineer.conn.handle('instructions.exportPackage', { hash: await hashOf(a.engineer, 'WI-OPS-010') });
  assert.ok(!draft.ok && draft.error.code === 'refused' && /only approved or effective/.test(draft.error.message), JSON.stringify(draft));
  const hash = await releaseInstruction(a.engineer, a.supervisor, 'WI-OPS-001');
  exported = await a.engineer.call('instructions.exportPackage', { hash });
  assert.equal(exported.fileName, 'WI-OPS-001-v1.lsip');
  const own = await a.engineer.call('packageKeys.own', {});
  assert.equal(exported.fingerprint, own.fingerprint);
  const pkg = JSON.parse(decode(exported)) as { content: { hash: string; state: string; approvals: { role: string }[] }; signature: { fingerprint: string } };
  assert.deepEqual([pkg.content.hash, pkg.content.state, pkg.content.approvals.map((x) => x.role)], [hash, 'effective', ['engineer', 'supervisor']]);
  const audit = await (await admin(pcA)).call('audit.query', { action: 'instruction.exportPackage', limit: 5 });
  assert.deepEqual(audit.entries.map((e) => [e.user, e.outcome]), [['eve', 'done']]);
});

test('2. PC B: unknown key refused; trusted by an engineer (signed); imported, released here, run', async () => {
  const fpA = (await a.engineer.call('packageKeys.own', {})).fingerprint;
  const unknown = await b.engineer.conn.handle('instructions.importPackage', { fileName: exported.fileName, data: exported.data });
  assert.ok(!unknown.ok && unknown.error.code === 'refused' && unknown.error.context?.reason === 'unknownKey', JSON.stringify(unknown));
  assert.ok(unknown.error.message.includes(fpA), unknown.error.message);

  const pem = (await a.engineer.call('packageKeys.own', {})).pem;
  const byOperator = await b.operator.conn.handle('packageKeys.trust', { publicKey: pem, name: 'Line 1 PC A' });
  assert.ok(!byOperator.ok && byOperator.error.code === 'forbidden');
  const unsigned = await b.engineer.conn.handle('packageKeys.trust', { publicKey: pem, name: 'Line 1 PC A' });
  assert.ok(!unsigned.ok && unsigned.error.code === 'signature_required', JSON.stringify(unsigned));
  const key = await b.engineer.call('packageKeys.trust', { publicKey: pem, name: 'Line 1 PC A' }, approveSig);
  assert.equal(key.fingerprint, fpA);
  assert.deepEqual((await b.operator.call('packageKeys.list', {})).map((k) => [k.fingerprint, k.name, k.trustedBy]), [[fpA, 'Line 1 PC A', 'ed']]);

  const imported = await b.engineer.call('instructions.importPackage', { fileName: exported.fileName, data: exported.data });
  assert.equal(imported.version.state, 'approved');
  assert.deepEqual(imported.version.approvals.map((x) => x.role), ['engineer', 'supervisor']);
  assert.deepEqual(imported.version.approvals.map((x) => x.printedName), ['Test eve', 'Test sam'].map((n) => `${n} (${imported.source.site}, ${imported.source.station})`));
  // approved is not effective: it does not run until released on this PC
  const early = await b.operator.conn.handle('runs.start', { instructionId: 'WI-OPS-001' });
  assert.ok(!early.ok && early.error.code === 'refused' && /no effective version/.test(early.error.message), JSON.stringify(early));
  const unsignedRelease = await b.engineer.conn.handle('instructions.release', { hash: imported.version.hash });
  assert.ok(!unsignedRelease.ok && unsignedRelease.error.code === 'signature_required');
  const released = await b.engineer.call('instructions.release', { hash: imported.version.hash }, approveSig);
  assert.equal(released.state, 'effective');

  await waitFor('the PLC values good on PC B', async () => {
    const v = await b.operator.call('values.snapshot', { tagIds: ['L1.GuardClosed', 'L1.EStopOk'] });
    return v.length === 2 && v.every((x) => x.quality.level === 'good');
  }, 20_000);
  let view = await b.operator.call('runs.start', { instructionId: 'WI-OPS-001' });
  const runId = view.run.id;
  assert.equal(view.run.versionHash, imported.version.hash);
  await waitFor('the conditions met', async () => (await b.operator.call('runs.get', { runId })).run.currentStepId === 'film', 20_000);
  await b.operator.call('runs.complete', { runId, stepId: 'film', input: { confirmed: true } });
  await b.operator.call('runs.complete', { runId, stepId: 'seal', input: { value: 185 } });
  view = await b.operator.call('runs.complete', { runId, stepId: 'ready' }, { meaning: 'performed', secret: TEST_PASSWORD });
  assert.deepEqual([view.run.state, view.run.results.length], ['completed', 5]);
});

test('3. a tampered package is refused; the refusals are in the audit trail; a removed key is unknown again', async () => {
  const text = decode(exported);
  const at = text.indexOf('Start-of-shift checklist');
  assert.ok(at > 0);
  const tampered = text.slice(0, at) + 'T' + text.slice(at + 1);
  const r = await b.engineer.conn.handle('instructions.importPackage', { fileName: 'tampered.lsip', data: Buffer.from(tampered).toString('base64') });
  assert.ok(!r.ok && r.error.code === 'refused' && r.error.context?.reason === 'badSignature' && /signature does not match/.test(r.error.message), JSON.stringify(r));
  const notAPackage = await b.engineer.conn.handle('instructions.importPackage', { fileName: 'notes.txt', data: Buffer.from('hello').toString('base64') });
  assert.ok(!notAPackage.ok && notAPackage.error.context?.reason === 'malformed' && /not JSON/.test(notAPackage.error.message));

  const fp = (await b.engineer.call('packageKeys.list', {}))[0].fingerprint;
  const noReason = await b.engineer.conn.handle('packageKeys.remove', { fingerprint: fp, reason: '' }, approveSig);
  assert.ok(!noReason.ok && noReason.error.code === 'bad_request');
  await b.engineer.call('packageKeys.remove', { fingerprint: fp.toLowerCase(), reason: 'PC A replaced' }, approveSig);
  assert.deepEqual(await b.engineer.call('packageKeys.list', {}), []);
  const again = await b.engineer.conn.handle('instructions.importPackage', { fileName: exported.fileName, data: exported.data });
  assert.ok(!again.ok && again.error.context?.reason === 'unknownKey');

  const audit = await (await admin(pcB)).call('audit.query', { action: 'packageKey', limit: 20 });
  // the operator's attempt is on record too (refused by the permission check)
  assert.deepEqual(audit.entries.map((e) => [e.action, e.user, e.outcome, e.signature?.meaning ?? null]).reverse(), [
    ['packageKeys.trust', 'olga', 'refused', null],
    ['packageKey.trust', 'ed', 'done', 'approved'],
    ['packageKey.remove', 'ed', 'done', 'approved'],
  ]);
  const imports = await (await admin(pcB)).call('audit.query', { action: 'instruction.importPackage', limit: 20 });
  assert.deepEqual(imports.entries.map((e) => [e.target, e.outcome]).reverse(), [
    ['WI-OPS-001-v1.lsip', 'refused'],
    ['WI-OPS-001-v1.lsip', 'done'],
    ['tampered.lsip', 'refused'],
    ['notes.txt', 'refused'],
    ['WI-OPS-001-v1.lsip', 'refused'],
  ]);
  assert.match(imports.entries[0].detail, /not on this PC's trust list: fingerprint/);
});
