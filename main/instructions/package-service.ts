/**
 * Offline distribution of instruction versions (docs/instructions.md, "Packages and keys"):
 * export an approved or effective version as one signed package; import one only when it is
 * signed by a key on the trust list, its hashes match and it fits this project. Every export,
 * import (done or refused) and trust-list change goes on record in the audit trail.
 *
 * An imported version arrives approved (its source site's approvals carried over as recorded
 * approvals) or, when this PC requires roles the source did not sign for, in review for those;
 * never effective. It runs only after a local, signed release.
 */
import { ApiError } from '../../shared/api';
import type { InstructionDefinition, StepMedia, VersionApproval } from '../../shared/instructions';
import {
  MAX_PACKAGE_BYTES,
  PACKAGE_EXTENSION,
  type InstructionPackageFile,
  type OwnPackageKey,
  type PackageContent,
  type PackageExport,
  type PackageImportResult,
  type TrustedPackageKey,
} from '../../shared/instruction-packages';
import type { Actor } from '../../shared/types';
import type { Clock } from '../util/clock';
import { normaliseFingerprint, PackageRefused, parsePublicKey, signPackage, verifyPackage } from './package-format';
import type { OwnPackageKeyPair, PackageStore } from './package-keys';
import { TransitionRefused, type VersionStore } from './version-store';

export interface PackageRecord {
  ts: number;
  actor: Actor;
  action: string;
  target: string;
  oldValue: unknown;
  newValue: unknown;
  outcome: 'done' | 'refused' | 'failed';
  detail: string;
}

export interface PackageServiceDeps {
  versions: VersionStore;
  store: PackageStore;
  ownKey: OwnPackageKeyPair;
  clock: Clock;
  /** where this PC is: the project's name, site and line */
  source: { project: string; site: string; line: string };
  /** a media file's bytes from the instruction folders (null: not there, or other bytes now) */
  folderMedia: (instructionId: string, media: StepMedia) => Buffer | null;
  /** the file's form (main/config/instruction-package-file.ts): the package, or the wrong field */
  parse: (text: string) => { ok: true; pkg: InstructionPackageFile } | { ok: false; field: string; message: string };
  /** the definition against this project: "path: problem" for each (empty: it fits) */
  check: (definition: InstructionDefinition, mediaSizes: ReadonlyMap<string, number>) => string[];
  record: (r: PackageRecord) => void;
}

export interface PackageCaller {
  userId: string;
  name: string;
  station: string;
  signatureId: number | null;
  actor: Actor;
}

export class PackageService {
  constructor(private readonly d: PackageServiceDeps) {}

  own(): OwnPackageKey {
    return this.d.ownKey.info();
  }

  keys(): TrustedPackageKey[] {
    return this.d.store.keys();
  }

  exportPackage(hash: string, caller: PackageCaller): PackageExport {
    const v = this.d.versions.get(hash);
    if (!v) throw new ApiError({ code: 'not_found', message: `no instruction version ${hash.slice(0, 12)}`, context: { hash } });
    const { info, definition } = v;
    if (info.state !== 'approved' && info.state !== 'effective') {
      throw new ApiError({ code: 'refused', message: `export: version ${info.number} of ${info.instructionId} is ${info.state}; only approved or effective versions are exported`, context: { hash, state: info.state } });
    }
    const media: PackageContent['media'] = [];
    const seen = new Set<string>();
    for (const step of definition.steps) {
      for (const m of step.media) {
        if (seen.has(m.sha256)) continue;
        seen.add(m.sha256);
        const bytes = this.d.store.media(m.sha256) ?? this.d.folderMedia(info.instructionId, m);
        if (bytes === null) {
          throw new ApiError({ code: 'refused', message: `export: the media file "${m.file}" of step "${step.id}" is no longer on this PC with the bytes this version names`, context: { hash, file: m.file } });
        }
        media.push({ sha256: m.sha256, file: m.file, data: bytes.toString('base64') });
      }
    }
    const content: PackageContent = {
      instructionId: info.instructionId,
      versionNumber: info.number,
      hash,
      state: info.state,
      definition,
      media,
      requiredApprovals: info.requiredApprovals,
      approvals: info.approvals,
      exportedAt: this.d.clock.now(),
      exportedBy: { userId: caller.userId, name: caller.name },
      source: { ...this.d.source, station: caller.station },
    };
    const { privateKey, publicRaw } = this.d.ownKey.signer();
    const pkg = signPackage(content, privateKey, publicRaw);
    const text = JSON.stringify(pkg, null, 1);
    const fileName = `${info.instructionId}-v${info.number}${PACKAGE_EXTENSION}`;
    const data = Buffer.from(text, 'utf8');
    this.d.record({
      ts: this.d.clock.now(),
      actor: caller.actor,
      action: 'instruction.exportPackage',
      target: `${info.instructionId} v${info.number}`,
      oldValue: null,
      newValue: { hash, fileName, fingerprint: pkg.signature!.fingerprint, bytes: data.length },
      outcome: 'done',
      detail: `exported as ${fileName}, signed by this PC's key ${pkg.signature!.fingerprint}`,
    });
    return { fileName, data: data.toString('base64'), bytes: data.length, fingerprint: pkg.signature!.fingerprint };
  }

  importPackage(fileName: string, data: string, caller: PackageCaller): PackageImportResult {
    const audit = (outcome: PackageRecord['outcome'], detail: string, newValue: unknown) =>
      this.d.record({ ts: this.d.clock.now(), actor: caller.actor, action: 'instruction.importPackage', target: fileName, oldValue: null, newValue, outcome, detail });
    try {
      const result = this.tryImport(fileName, data, caller);
      audit('done', result.message, { hash: result.version.hash, outcome: result.outcome, fingerprint: result.signedBy.fingerprint, source: result.source });
      return result;
    } catch (err) {
      if (err instanceof PackageRefused) {
        audit('refused', `${fileName}: ${err.message}`, { reason: err.reason, ...err.context });
        throw new ApiError({ code: 'refused', message: `import refused: ${fileName}: ${err.message}`, context: { reason: err.reason, ...err.context } });
      }
      audit('failed', `${fileName}: ${(err as Error).message}`, null);
      throw err;
    }
  }

  private tryImport(fileName: string, data: string, caller: PackageCaller): PackageImportResult {
    // The size before decoding: base64 carries 3 bytes in 4 characters.
    const approxBytes = Math.floor((data.length * 3) / 4);
    if (approxBytes > MAX_PACKAGE_BYTES) {
      throw new PackageRefused('tooLarge', `the file is ${(approxBytes / 1024 / 1024).toFixed(1)} MB; a package may have at most ${MAX_PACKAGE_BYTES / 1024 / 1024} MB`, { bytes: approxBytes });
    }
    if (!/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(data)) throw new PackageRefused('malformed', 'the upload is not base64', { field: 'data' });
    const parsed = this.d.parse(Buffer.from(data, 'base64').toString('utf8'));
    if (!parsed.ok) throw new PackageRefused('malformed', `not a valid package: ${parsed.field}: ${parsed.message}`, { field: parsed.field });
    const pkg = parsed.pkg;
    const signedBy = verifyPackage(pkg, (fp) => this.d.store.key(fp));
    const { content } = pkg;
    const media = content.media.map((m) => ({ sha256: m.sha256, file: m.file, bytes: Buffer.from(m.data, 'base64') }));
    const problems = this.d.check(content.definition, new Map(media.map((m) => [m.file, m.bytes.length])));
    if (problems.length > 0) {
      throw new PackageRefused('references', `${content.instructionId} does not fit this project: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ` (and ${problems.length - 5} more)` : ''}`, {
        problems: problems.length,
      });
    }
    const where = `${content.source.site}, ${content.source.station}`;
    // The source's approvals as records: who, which role, when, where; their signature ids are
    // the source PC's (0 here): the package signature vouches for them.
    const approvals: VersionApproval[] = content.approvals.map((a) => ({ role: a.role, userId: `${a.userId}@${content.source.station}`, printedName: `${a.printedName} (${where})`, ts: a.ts, signatureId: 0 }));
    const now = this.d.clock.now();
    let adopted: ReturnType<VersionStore['adoptApproved']>;
    try {
      adopted = this.d.store.db.transaction(() => {
        const a = this.d.versions.adoptApproved(content.definition, content.hash, now, approvals);
        this.d.store.recordImport({ ts: now, hash: content.hash, fileName, fingerprint: signedBy.fingerprint, source: content.source, approvals: content.approvals, importedBy: caller.userId, media });
        return a;
      }).immediate();
    } catch (err) {
      if (err instanceof TransitionRefused) throw new PackageRefused('state', err.message, { hash: content.hash });
      throw err;
    }
    const v = adopted.info;
    const outcome = !adopted.changed ? 'alreadyPresent' : adopted.created ? 'registered' : 'approvalsCarried';
    const state = v.state === 'approved' ? 'approved, to be released here' : v.state === 'inReview' ? `in review: this PC also requires ${v.requiredApprovals.filter((r) => !v.approvals.some((a) => a.role === r)).join(', ')}` : v.state;
    const message =
      outcome === 'alreadyPresent'
        ? `${v.instructionId} v${v.number} is already ${v.state} here; nothing changed`
        : `${v.instructionId} v${v.number} (rev. ${v.revision}) from ${where}, signed by ${signedBy.name} (${signedBy.fingerprint}): ${state}`;
    return { version: v, outcome, signedBy, source: content.source, message };
  }

  trust(publicKey: string, name: string, caller: PackageCaller): TrustedPackageKey {
    let raw: Buffer;
    try {
      raw = parsePublicKey(publicKey);
    } catch (err) {
      throw new ApiError({ code: 'bad_request', message: `publicKey: ${(err as Error).message}`, context: { field: 'publicKey' } });
    }
    if (caller.signatureId === null) throw new ApiError({ code: 'signature_required', message: 'trusting a package key needs an electronic signature' });
    const { key, before } = this.d.store.trust(raw, name, caller.userId, caller.signatureId, this.d.clock.now());
    this.d.record({
      ts: this.d.clock.now(),
      actor: caller.actor,
      action: 'packageKey.trust',
      target: key.fingerprint,
      oldValue: before === null ? null : { name: before.name },
      newValue: { name: key.name, publicKey: key.publicKey },
      outcome: 'done',
      detail: before === null ? `trusted the package key "${name}" (${key.fingerprint})` : `renamed the trusted package key "${before.name}" to "${name}"`,
    });
    return key;
  }

  remove(fingerprint: string, reason: string, caller: PackageCaller): { fingerprint: string; removed: true } {
    const fp = normaliseFingerprint(fingerprint);
    if (caller.signatureId === null) throw new ApiError({ code: 'signature_required', message: 'removing a package key needs an electronic signature' });
    const before = this.d.store.remove(fp);
    if (before === null) throw new ApiError({ code: 'not_found', message: `no trusted package key ${fp}`, context: { fingerprint: fp } });
    this.d.record({
      ts: this.d.clock.now(),
      actor: caller.actor,
      action: 'packageKey.remove',
      target: fp,
      oldValue: { name: before.name, publicKey: before.publicKey },
      newValue: null,
      outcome: 'done',
      detail: `removed the package key "${before.name}": ${reason.trim()}`,
    });
    return { fingerprint: fp, removed: true };
  }
}
