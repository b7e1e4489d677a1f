/**
 * Signed instruction packages (main/instructions/package-*.ts, main/config/instruction-package-file.ts)
 * between two "PCs" (two SQLite databases, two key dirs) with a real instruction folder that has
 * a media file:
 *
 *   1. this PC's key: made on first use, the private key mode 0600, the same after a restart;
 *      fingerprints as hex pairs; a key given as PEM or raw base64 is the same key;
 *   2. sign/verify round trip: A exports an approved version, B refuses it while A's key is not
 *      trusted (naming the fingerprint), imports it once trusted: approved with A's approvals
 *      recorded, the media bytes kept;
 *   3. one byte changed in the definition, in a media file or in the signature: refused as a
 *      signature mismatch; re-signed by a trusted key after the change: the content hash or the
 *      media hash is named; unsigned;
 *   4. malformed files name the field; a definition that does not fit the project names the tag;
 *      nothing stored changes on a refusal, and every refusal is on record.
 */
import assert from 'node:assert/strict';
import { mkdirSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { checkPackagedDefinition, parsePackageFile } from '../../main/config/instruction-package-file';
import { contentHash, loadInstructionFolder, type InstructionContext } from '../../main/config/instruction-files';
import { loadProjectFile } from '../../main/config/project-loader';
import { definitionHash, fingerprintOf, parsePublicKey, signPackage } from '../../main/instructions/package-format';
import { OwnPackageKeyPair, PackageStore } from '../../main/instructions/package-keys';
import { PackageService, type PackageCaller, type PackageRecord } from '../../main/instructions/package-service';
import { VersionStore } from '../../main/instructions/version-store';
import type { InstructionPackageFile } from '../../shared/instruction-packages';
import { ApiError } from '../../shared/api';
import type { Clock } from '../../main/util/clock';
import { repoRoot, tempDir } from '../helpers/temp';

const tmp = tempDir();
after(() => tmp.cleanup());
const demo = loadProjectFile(join(repoRoot(), 'projects', 'demo-line.yaml'));
const ctx: InstructionContext = {
  tags: new Map(demo.tags.map((t) => [t.id, { writable: t.writable }])),
  alarms: new Set(demo.alarms.definitions.map((d) => d.id)),
};
let t = 1_760_000_000_000;
const clock = { now: () => (t += 1000) } as unknown as Clock;

// An instruction with a picture: its bytes travel in the package.
const folder = join(tmp.dir, 'instructions', 'guard-check');
mkdirSync(folder, { recursive: true });
const PICTURE = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
writeFileSync(join(folder, 'door.png'), PICTURE);
writeFileSync(
  join(folder, 'instruction.yaml'),
  `id: WI-TST-001
title: Guard door check
revision: "1"
steps:
  - { id: door, kind: read, title: Look at the door, media: [{ file: door.png, caption: The guard door }] }
  - { id: closed, kind: condition, title: Door closed, expression: "L1.GuardClosed == true" }
`,
);
const loaded = loadInstructionFolder(folder, ctx);

function pc(name: string, projectCtx = ctx) {
  const db = new Database(':memory:');
  const versions = new VersionStore(db, ['engineer', 'supervisor']);
  const records: PackageRecord[] = [];
  const keyDir = join(tmp.dir, name, 'package-key');
  const ownKey = new OwnPackageKeyPair(keyDir);
  const service = new PackageService({
    versions,
    store: new PackageStore(db),
    ownKey,
    clock,
    source: { project: 'Demo', site: `Site ${name}`, line: 'L1' },
    folderMedia: (_id, m) => (m.file === 'door.png' ? readFileSync(join(folder, 'door.png')) : null),
    parse: parsePackageFile,
    check: (d, sizes) => checkPackagedDefinition(d, projectCtx, sizes),
    record: (r) => records.push(r),
  });
  const caller = (userId: string, signatureId: number | null = null): PackageCaller => ({ userId, name: `Test ${userId}`, station: `${name}-PC`, signatureId, actor: { user: userId, station: `${name}-PC`, signatureId } });
  return { db, versions, records, service, caller, ownKey, keyDir };
}

const A = pc('A');
const B = pc('B');
const C = pc('C', { tags: new Map([...ctx.tags].filter(([id]) => id !== 'L1.GuardClosed')), alarms: ctx.alarms });

function approveOn(p: ReturnType<typeof pc>): string {
  const v = p.versions.register(loaded.definition, loaded.hash, clock.now());
  p.versions.transition(v.hash, 'submit');
  p.versions.transition(v.hash, 'approve', { userId: 'eve', printedName: 'Eve Engineer', ts: clock.now(), signatureId: 11, roles: ['engineer'] });
  p.versions.transition(v.hash, 'approve', { userId: 'sam', printedName: 'Sam Supervisor', ts: clock.now(), signatureId: 12, roles: ['supervisor'] });
  return v.hash;
}

function refusal(fn: () => unknown): { reason: string; message: string; context: Record<string, unknown> } {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ApiError, String(err));
    assert.equal(err.code, 'refused', err.message);
    return { reason: String(err.context?.reason), message: err.message, context: err.context ?? {} };
  }
  assert.fail('not refused');
}

const toData = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const edit = (pkg: InstructionPackageFile, f: (p: InstructionPackageFile) => void): string => {
  const copy = JSON.parse(JSON.stringify(pkg)) as InstructionPackageFile;
  f(copy);
  return toData(JSON.stringify(copy));
};

let exported: { fileName: string; data: string };
let pkg: InstructionPackageFile;

test('1. this PC’s key: made on first use, private key 0600, kept across restarts; fingerprints; PEM = raw', () => {
  const own = A.service.own();
  assert.match(own.fingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  assert.equal(own.fingerprint, fingerprintOf(Buffer.from(own.publicKey, 'base64')));
  if (process.platform !== 'win32') assert.equal(statSync(join(A.keyDir, 'package-key.pem')).mode & 0o777, 0o600);
  assert.equal(new OwnPackageKeyPair(A.keyDir).info().fingerprint, own.fingerprint, 'the same key after a restart');
  assert.notEqual(B.service.own().fingerprint, own.fingerprint);
  assert.deepEqual(parsePublicKey(own.pem), parsePublicKey(own.publicKey));
  assert.throws(() => parsePublicKey(Buffer.alloc(16).toString('base64')), /16 bytes: an Ed25519 public key has 32/);
  // the package's hash is the instruction folders' content hash
  assert.equal(definitionHash(loaded.definition), contentHash(loaded.definition));
});

test('2. round trip: refused while the key is unknown (its fingerprint named), imported once trusted', () => {
  const hash = approveOn(A);
  const draft = B.versions.register({ ...loaded.definition }, loaded.hash, clock.now());
  assert.equal(draft.state, 'draft');
  // only approved or effective versions leave the PC
  const other = A.versions.register({ ...loaded.definition, revision: '2' }, contentHash({ ...loaded.definition, revision: '2' }), clock.now());
  refusal(() => A.service.exportPackage(other.hash, A.caller('eve')));

  exported = A.service.exportPackage(hash, A.caller('eve'));
  assert.equal(exported.fileName, 'WI-TST-001-v1.lsip');
  pkg = JSON.parse(Buffer.from(exported.data, 'base64').toString('utf8')) as InstructionPackageFile;
  assert.equal(Buffer.from(pkg.content.media[0].data, 'base64').compare(PICTURE), 0);
  assert.deepEqual(pkg.content.source, { project: 'Demo', site: 'Site A', line: 'L1', station: 'A-PC' });

  const fp = A.service.own().fingerprint;
  const unknown = refusal(() => B.service.importPackage(exported.fileName, exported.data, B.caller('bob')));
  assert.equal(unknown.reason, 'unknownKey');
  assert.ok(unknown.message.includes(fp), unknown.message);
  assert.equal(unknown.context.fingerprint, fp);

  assert.throws(() => B.service.trust(A.service.own().pem, 'Line 1 PC A', B.caller('eng')), /signature/);
  const key = B.service.trust(A.service.own().pem, 'Line 1 PC A', B.caller('eng', 5));
  assert.equal(key.fingerprint, fp);
  const r = B.service.importPackage(exported.fileName, exported.data, B.caller('bob'));
  assert.equal(r.outcome, 'approvalsCarried', 'the same content was a draft here: it is now approved');
  assert.equal(r.version.state, 'approved');
  assert.deepEqual(
    r.version.approvals.map((a) => [a.role, a.userId, a.printedName]),
    [
      ['engineer', 'eve@A-PC', 'Eve Engineer (Site A, A-PC)'],
      ['supervisor', 'sam@A-PC', 'Sam Supervisor (Site A, A-PC)'],
    ],
  );
  assert.equal(new PackageStore(B.db).media(pkg.content.media[0].sha256)?.compare(PICTURE), 0);
  const again = B.service.importPackage(exported.fileName, exported.data, B.caller('bob'));
  assert.equal(again.outcome, 'alreadyPresent');
  // a PC that never saw it gets a new version
  const D = pc('D');
  D.service.trust(A.service.own().publicKey, 'PC A', D.caller('eng', 1));
  const fresh = D.service.importPackage(exported.fileName, exported.data, D.caller('bob'));
  assert.deepEqual([fresh.outcome, fresh.version.state, fresh.version.number], ['registered', 'approved', 1]);
  assert.deepEqual(
    B.records.map((x) => [x.action, x.outcome]),
    [
      ['instruction.importPackage', 'refused'],
      ['packageKey.trust', 'done'],
      ['instruction.importPackage', 'done'],
      ['instruction.importPackage', 'done'],
    ],
  );
});

test('3. one byte changed in the definition, a media file, the signature: refused with the reason', () => {
  const before = JSON.stringify(B.versions.versions('WI-TST-001'));
  const text = Buffer.from(exported.data, 'base64').toString('utf8');
  // the definition: one character of the title
  const at = text.indexOf('Guard door check');
  const oneByte = text.slice(0, at) + 'H' + text.slice(at + 1);
  assert.equal(refusal(() => B.service.importPackage('t.lsip', toData(oneByte), B.caller('bob'))).reason, 'badSignature');
  // a media file: one byte of the picture
  const media = edit(pkg, (p) => {
    const bytes = Buffer.from(p.content.media[0].data, 'base64');
    bytes[bytes.length - 1] ^= 1;
    p.content.media[0].data = bytes.toString('base64');
  });
  assert.equal(refusal(() => B.service.importPackage('m.lsip', media, B.caller('bob'))).reason, 'badSignature');
  // the signature: one byte
  const sig = edit(pkg, (p) => {
    const bytes = Buffer.from(p.signature!.value, 'base64');
    bytes[0] ^= 0x80;
    p.signature!.value = bytes.toString('base64');
  });
  assert.match(refusal(() => B.service.importPackage('s.lsip', sig, B.caller('bob'))).message, /signature does not match/);
  // changed and signed again by a trusted key: the hashes say what no longer matches
  const { privateKey, publicRaw } = A.ownKey.signer();
  const resigned = (f: (p: InstructionPackageFile) => void) => {
    const copy = JSON.parse(JSON.stringify(pkg)) as InstructionPackageFile;
    f(copy);
    return toData(JSON.stringify(signPackage(copy.content, privateKey, publicRaw)));
  };
  const defChanged = refusal(() => B.service.importPackage('h.lsip', resigned((p) => (p.content.definition.title = 'Hacked')), B.caller('bob')));
  assert.equal(defChanged.reason, 'hashMismatch');
  const mediaChanged = refusal(() =>
    B.service.importPackage(
      'mh.lsip',
      resigned((p) => (p.content.media[0].data = Buffer.from('not the picture').toString('base64'))),
      B.caller('bob'),
    ),
  );
  assert.deepEqual([mediaChanged.reason, mediaChanged.context.file], ['mediaMismatch', 'door.png']);
  assert.equal(refusal(() => B.service.importPackage('u.lsip', edit(pkg, (p) => (p.signature = null)), B.caller('bob'))).reason, 'unsigned');
  assert.equal(JSON.stringify(B.versions.versions('WI-TST-001')), before, 'nothing stored changed');
});

test('4. malformed files name the field; a definition that does not fit names the tag; too large', () => {
  const cases: [string, string, RegExp][] = [
    ['not json', toData('{"format": "lineside-instruction-package", '), /\(file\): not JSON/],
    ['no package', toData('{"hello": 1}'), /format: not an instruction package/],
    ['no hash', edit(pkg, (p) => delete (p.content as Partial<typeof p.content>).hash), /content\.hash/],
    ['bad step', edit(pkg, (p) => ((p.content.definition.steps[0] as unknown as { title: number }).title = 5)), /content\.definition\.steps\.0\.title/],
    ['media sha', edit(pkg, (p) => (p.content.definition.steps[0].media[0].sha256 = 'xyz')), /content\.definition\.steps\.0\.media\.0\.sha256/],
    ['extra', edit(pkg, (p) => Object.assign(p, { extra: true })), /\(file\): unknown field\(s\): extra/],
  ];
  for (const [what, data, message] of cases) {
    const r = refusal(() => B.service.importPackage(`${what}.lsip`, data, B.caller('bob')));
    assert.equal(r.reason, 'malformed', what);
    assert.match(r.message, message, what);
  }
  C.service.trust(A.service.own().publicKey, 'PC A', C.caller('eng', 1));
  const misfit = refusal(() => C.service.importPackage(exported.fileName, exported.data, C.caller('bob')));
  assert.equal(misfit.reason, 'references');
  assert.match(misfit.message, /steps\.1\.expression: unknown tag "L1\.GuardClosed"/);
  assert.deepEqual(C.versions.versions('WI-TST-001'), []);
  const big = refusal(() => C.service.importPackage('big.lsip', 'A'.repeat(140 * 1024 * 1024), C.caller('bob')));
  assert.equal(big.reason, 'tooLarge');
  assert.match(big.message, /at most 100 MB/);
  assert.deepEqual(
    C.records.filter((r) => r.action === 'instruction.importPackage').map((r) => r.outcome),
    ['refused', 'refused'],
  );
});
