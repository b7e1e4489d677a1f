/**
 * Signed instruction packages wired into the runtime (docs/instructions.md, "Packages and
 * keys"): the package service with this project's checks (main/config) and its key in the data
 * dir, the API handlers (shared/instruction-packages-api.ts), and the signatures trusting and
 * removing a key require (meaning approved).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type Database from 'better-sqlite3';
import type { MethodName, ParsedParamsOf, ResultOf } from '../../shared/api';
import type { SignatureRequirement } from '../../shared/security';
import type { Project } from '../config/project-schema';
import { loadInstructionFolders, type InstructionContext } from '../config/instruction-files';
import { checkPackagedDefinition, parsePackageFile } from '../config/instruction-package-file';
import { OwnPackageKeyPair, PackageStore } from '../instructions/package-keys';
import { PackageService, type PackageCaller } from '../instructions/package-service';
import type { VersionStore } from '../instructions/version-store';
import type { AuditRecord } from '../security/audit-trail';
import { VIEWER, type Caller } from '../security/caller';
import type { Clock } from '../util/clock';

export type PackageMethod = Extract<MethodName, 'instructions.exportPackage' | 'instructions.importPackage' | `packageKeys.${string}`>;
type Handlers = { [M in PackageMethod]: (p: ParsedParamsOf<M>, c: Caller) => ResultOf<M> };

export interface PackageWiring {
  db: Database.Database;
  dataDir: string;
  project: Project;
  projectFile: string;
  versions: VersionStore;
  clock: Clock;
  record: (r: AuditRecord) => void;
}

export function createPackageService(w: PackageWiring): PackageService {
  const ctx: InstructionContext = {
    tags: new Map(w.project.tags.map((t) => [t.id, { writable: t.writable }])),
    alarms: new Set(w.project.alarms.definitions.map((d) => d.id)),
  };
  const folder = resolve(dirname(w.projectFile), w.project.instructions.folder);
  return new PackageService({
    versions: w.versions,
    store: new PackageStore(w.db),
    ownKey: new OwnPackageKeyPair(join(w.dataDir, 'package-key')),
    clock: w.clock,
    source: { project: w.project.name, site: w.project.site, line: w.project.line },
    // Export is rare: the folders are read again to find the instruction's one.
    folderMedia: (instructionId, media) => {
      const loaded = loadInstructionFolders(folder, ctx).instructions.find((i) => i.definition.id === instructionId);
      if (!loaded) return null;
      const file = join(loaded.folder, media.file);
      if (!existsSync(file)) return null;
      const bytes = readFileSync(file);
      return createHash('sha256').update(bytes).digest('hex') === media.sha256 ? bytes : null;
    },
    parse: parsePackageFile,
    check: (definition, sizes) => checkPackagedDefinition(definition, ctx, sizes),
    record: (r) => w.record({ ts: r.ts, user: r.actor.user, station: r.actor.station, signatureId: r.actor.signatureId, action: r.action, target: r.target, oldValue: r.oldValue, newValue: r.newValue, outcome: r.outcome, detail: r.detail }),
  });
}

function who(c: Caller): PackageCaller {
  return { userId: c.userId ?? VIEWER, name: c.name, station: c.station, signatureId: c.signatureId, actor: c.actor };
}

export function instructionPackageHandlers(packages: PackageService): Handlers {
  return {
    'instructions.exportPackage': (p, c) => packages.exportPackage(p.hash, who(c)),
    'instructions.importPackage': (p, c) => packages.importPackage(p.fileName, p.data, who(c)),
    'packageKeys.list': () => packages.keys(),
    'packageKeys.own': () => packages.own(),
    'packageKeys.trust': (p, c) => packages.trust(p.publicKey, p.name, who(c)),
    'packageKeys.remove': (p, c) => packages.remove(p.fingerprint, p.reason, who(c)),
  };
}

/** The signatures the trust list's changes require (SignaturePolicy's `required`). */
export function packageKeySignature(method: MethodName): SignatureRequirement | null {
  if (method === 'packageKeys.trust') return { kind: 'signature', meaning: 'approved', commentRequired: false, verifierRoles: [], rule: 'trusting an instruction package key' };
  if (method === 'packageKeys.remove') return { kind: 'signature', meaning: 'approved', commentRequired: false, verifierRoles: [], rule: 'removing an instruction package key' };
  return null;
}
