/**
 * `lineside/layering`: the layering rules of DESIGN.md as a lint rule, so that they fail the build
 * instead of eroding one convenient import at a time (after VS Code's `code-layering` rule).
 *
 * Every module reference (static import, `export … from`, dynamic `import()`, `require()`,
 * `import x = require()`, `import('…').T` types) is resolved relative to the importing file and
 * classified as one of: one of our files (by repo-relative path), a Node builtin, `electron`, or
 * an npm package. The importing file's layer is its path prefix; the table below says what each
 * layer may reach. Type-only imports count as well: a type import still makes the layer depend on
 * the other one (and on its types package).
 *
 * Files outside the layers (test/, bench/, scripts/, config files) are not checked.
 */
import { builtinModules } from 'node:module';
import path from 'node:path';

const nodeBuiltins = new Set(builtinModules);

/**
 * What a layer may import.
 * - `internal`: repo folders (a folder and everything below it), e.g. `main/tags`.
 * - `files`: single files (path without extension), e.g. `main/drivers/driver`.
 * - `deny`: folders carved out of `internal` (for `main/app`: all of main except shell and cli).
 * - `builtins`: Node builtins (`node:fs`, bare `fs`, `fs/promises`, …).
 * - `npm`: `'*'` for any package, or a list of names; `name-*` allows a family (node-opcua-*).
 * `electron` is never granted here: it is allowed only in preload/ and main/shell/electron*.
 */
const browserLibs = ['react', 'react-dom', 'uplot', 'zod', 'markdown-it'];

/** @type {Record<string, {internal: string[], files?: string[], deny?: string[], builtins: boolean, npm: '*' | string[]}>} */
export const layerPolicy = {
  shared: { internal: ['shared'], builtins: false, npm: ['zod'] },
  renderer: { internal: ['renderer', 'shared'], builtins: false, npm: browserLibs },
  preload: { internal: ['preload', 'shared'], builtins: false, npm: [] },

  // main/<module>: only main/app (the composition root) and main/cli wire modules together.
  'main/drivers': { internal: ['main/drivers', 'main/util', 'shared'], builtins: true, npm: '*' },
  // The acquisition engine sees devices only through the Driver interface; it never talks to a
  // protocol library itself, and it schedules through the injected clock (no Node timers).
  'main/acquisition': {
    internal: ['main/acquisition', 'main/tags', 'main/util', 'shared'],
    files: ['main/drivers/driver'],
    builtins: false,
    npm: [],
  },
  'main/tags': { internal: ['main/tags', 'main/util', 'shared'], builtins: false, npm: [] },
  'main/historian': { internal: ['main/historian', 'main/util', 'shared'], builtins: true, npm: ['better-sqlite3'] },
  'main/config': { internal: ['main/config', 'main/util', 'shared'], builtins: true, npm: ['yaml', 'zod', 'csv-parse', 'csv-stringify'] },
  'main/simulator': {
    internal: ['main/simulator', 'main/util', 'shared'],
    builtins: true,
    npm: ['node-opcua', 'node-opcua-*', 'modbus-serial'],
  },
  'main/util': { internal: ['main/util', 'shared'], builtins: true, npm: [] },
  // Modules named in DESIGN.md that consume the tag bus or keep their own records.
  'main/alarms': { internal: ['main/alarms', 'main/tags', 'main/util', 'shared'], builtins: true, npm: ['better-sqlite3'] },
  'main/instructions': { internal: ['main/instructions', 'main/util', 'shared'], builtins: true, npm: ['better-sqlite3'] },
  // Machine states, counters, downtime, KPIs, maintenance requests: their own tables; the
  // project's section types come from main/config (the values from the tag bus, through main/app).
  'main/production': { internal: ['main/production', 'main/util', 'shared'], files: ['main/config/production-schema'], builtins: false, npm: ['better-sqlite3'] },
  // Saved trend views: their own table in the runtime's SQLite; history comes through main/app.
  'main/trends': { internal: ['main/trends', 'main/util', 'shared'], builtins: false, npm: ['better-sqlite3'] },
  'main/security': { internal: ['main/security', 'main/util', 'shared'], builtins: true, npm: ['better-sqlite3'] },
  'main/sync': { internal: ['main/sync', 'main/util', 'shared'], builtins: true, npm: '*' },
  // The receiver speaks the sync's wire format and nothing else of the runtime; it stores into
  // SQLite (one line) or PostgreSQL (a site).
  'main/receiver': {
    internal: ['main/receiver', 'main/util', 'shared'],
    files: ['main/sync/wire', 'main/sync/intervals'],
    builtins: true,
    npm: ['better-sqlite3', 'mqtt', 'pg'],
  },
  // The live Sparkplug B view: tag values in, Sparkplug messages out; its bdSeq in the runtime's SQLite.
  'main/sparkplug': { internal: ['main/sparkplug', 'main/util', 'shared'], builtins: true, npm: ['mqtt', 'sparkplug-payload', 'better-sqlite3'] },
  'main/app': { internal: ['main', 'shared'], deny: ['main/shell', 'main/cli'], builtins: true, npm: '*' },
  'main/shell': {
    internal: ['main/shell', 'main/app', 'main/util', 'main/config', 'shared'],
    builtins: true,
    npm: ['ws'],
  },
  'main/cli': { internal: ['main', 'shared'], builtins: true, npm: '*' },
};

const sourceExtension = /(\.d)?\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/;

function toPosix(p) {
  return p.split(path.sep).join('/');
}

function within(target, folder) {
  return target === folder || target.startsWith(`${folder}/`);
}

/** The layer of a file (repo-relative posix path), or null when it is not layered. */
export function layerOf(relPath) {
  const parts = relPath.split('/');
  if (parts[0] === 'shared' || parts[0] === 'renderer' || parts[0] === 'preload') return parts[0];
  if (parts[0] === 'main') return parts.length > 2 ? `main/${parts[1]}` : 'main';
  return null;
}

function electronAllowedIn(relPath, layer) {
  return layer === 'preload' || relPath.startsWith('main/shell/electron');
}

function npmPackageName(spec) {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * Classifies a module specifier as seen from `fileAbs`.
 * @returns {{kind: 'electron'} | {kind: 'builtin'} | {kind: 'npm', name: string}
 *   | {kind: 'internal', path: string} | {kind: 'outside'}}
 */
export function classifySpecifier(spec, fileAbs, root) {
  if (spec === 'electron' || spec.startsWith('electron/')) return { kind: 'electron' };
  if (spec.startsWith('node:') || nodeBuiltins.has(spec) || nodeBuiltins.has(spec.split('/')[0])) {
    return { kind: 'builtin' };
  }
  if (spec.startsWith('.') || path.isAbsolute(spec)) {
    const abs = path.resolve(path.dirname(fileAbs), spec);
    const rel = path.relative(root, abs);
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return { kind: 'outside' };
    return { kind: 'internal', path: toPosix(rel).replace(sourceExtension, '') };
  }
  return { kind: 'npm', name: npmPackageName(spec) };
}

function npmAllowed(policy, name) {
  if (policy.npm === '*') return true;
  return policy.npm.some((p) => (p.endsWith('-*') ? name.startsWith(p.slice(0, -1)) : p === name));
}

function describePolicy(layer, policy) {
  const parts = [...policy.internal];
  if (policy.deny) parts[0] = `${parts[0]} (except ${policy.deny.join(', ')})`;
  if (policy.files) parts.push(...policy.files.map((f) => `${f} (alone from ${f.slice(0, f.lastIndexOf('/'))})`));
  if (policy.builtins) parts.push('Node builtins');
  if (policy.npm === '*') parts.push('npm packages');
  else parts.push(...policy.npm.map((n) => n.replace(/-\*$/, '-…')));
  if (layer === 'preload' || layer === 'main/shell') parts.push(layer === 'preload' ? 'electron' : 'electron (electron* files only)');
  return `${layer} may import ${parts.join(', ')}`;
}

/** Name of what was reached, as the right-hand side of `layer → target`. */
function targetName(target, layer) {
  switch (target.kind) {
    case 'builtin':
      return 'Node builtins';
    case 'electron':
      return 'electron';
    case 'npm':
      return `npm package '${target.name}'`;
    case 'outside':
      return 'files outside the repository';
    case 'internal': {
      const parts = target.path.split('/');
      if (parts[0] === 'main' && layer.startsWith('main')) return parts.length > 2 ? `main/${parts[1]}` : 'main';
      return parts.length > 1 ? parts[0] : target.path;
    }
  }
  return 'unknown';
}

/**
 * Checks one reference. Returns null when allowed, else the reason (without the leading
 * "X may not import 'Y'").
 */
export function checkImport(relPath, spec, fileAbs, root) {
  const layer = layerOf(relPath);
  if (layer === null) return null;
  const target = classifySpecifier(spec, fileAbs, root);
  const shown = target.kind === 'internal' ? target.path : spec;
  const forbidden = (why) => ({ layer, shown, reason: why });

  if (target.kind === 'electron') {
    if (electronAllowedIn(relPath, layer)) return null;
    const why = layer.startsWith('main')
      ? 'electron is allowed only in main/shell/electron* and preload/ by DESIGN.md layering'
      : `${layer} → electron is forbidden by DESIGN.md layering`;
    return forbidden(why);
  }

  const policy = layerPolicy[layer];
  if (policy === undefined) {
    return forbidden(
      `${layer} has no entry in the layering table (eslint-rules/layering.mjs); add one so its dependencies are checked`,
    );
  }

  let allowed;
  switch (target.kind) {
    case 'builtin':
      allowed = policy.builtins;
      break;
    case 'npm':
      allowed = npmAllowed(policy, target.name);
      break;
    case 'outside':
      allowed = false;
      break;
    case 'internal':
      allowed =
        (policy.files ?? []).includes(target.path) ||
        (policy.internal.some((f) => within(target.path, f)) && !(policy.deny ?? []).some((f) => within(target.path, f)));
      break;
  }
  if (allowed) return null;
  return forbidden(
    `${layer} → ${targetName(target, layer)} is forbidden by DESIGN.md layering; ${describePolicy(layer, policy)}`,
  );
}

function stringValue(node) {
  if (!node) return null;
  if (node.type === 'Literal' && typeof node.value === 'string') return node.value;
  if (node.type === 'TemplateLiteral' && node.expressions.length === 0) return node.quasis[0].value.cooked;
  return null;
}

/** @type {import('eslint').Rule.RuleModule} */
export const layeringRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Enforces the layering rules of DESIGN.md (which layer may import what)' },
    schema: [],
    messages: {
      forbidden: "{{layer}} may not import '{{shown}}' ({{reason}})",
    },
  },
  create(context) {
    const root = context.settings?.lineside?.root ?? context.cwd;
    const fileAbs = context.filename;
    const rel = path.relative(root, fileAbs);
    if (rel.startsWith('..') || path.isAbsolute(rel)) return {};
    const relPath = toPosix(rel);
    if (layerOf(relPath) === null) return {};

    const check = (node, spec) => {
      if (spec === null) return;
      const problem = checkImport(relPath, spec, fileAbs, root);
      if (problem) context.report({ node, messageId: 'forbidden', data: problem });
    };

    return {
      ImportDeclaration: (node) => check(node.source, stringValue(node.source)),
      ExportNamedDeclaration: (node) => node.source && check(node.source, stringValue(node.source)),
      ExportAllDeclaration: (node) => check(node.source, stringValue(node.source)),
      ImportExpression: (node) => check(node.source, stringValue(node.source)),
      CallExpression(node) {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require' && node.arguments.length > 0) {
          check(node.arguments[0], stringValue(node.arguments[0]));
        }
      },
      TSImportEqualsDeclaration(node) {
        if (node.moduleReference.type === 'TSExternalModuleReference') {
          check(node.moduleReference, stringValue(node.moduleReference.expression));
        }
      },
      TSImportType(node) {
        const source = node.source ?? (node.argument?.type === 'TSLiteralType' ? node.argument.literal : null);
        check(node, stringValue(source));
      },
    };
  },
};

export default {
  meta: { name: 'lineside' },
  rules: { layering: layeringRule },
};
