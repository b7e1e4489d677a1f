/**
 * The layering rules of DESIGN.md are enforced by `lineside/layering` (eslint-rules/layering.mjs).
 * These cases lint snippets as if they lived at a given path in the repo, through the repo's own
 * eslint.config.mjs, and check that forbidden imports are reported and allowed ones are not.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { ESLint } from 'eslint';

/** The repo root: the nearest folder above this (compiled) file whose package.json is ours. */
function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      const name: unknown = (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name;
      if (name === 'lineside') return dir;
    }
    if (dirname(dir) === dir) throw new Error(`no package.json named "lineside" above ${from}`);
  }
}

const root = findRepoRoot(__dirname);
const eslint = new ESLint({ cwd: root });

async function layeringErrors(relPath: string, code: string): Promise<{ line: number; message: string }[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, relPath) });
  const fatal = result.messages.filter((m) => m.fatal);
  assert.deepEqual(fatal, [], `${relPath} did not parse`);
  return result.messages
    .filter((m) => m.ruleId === 'lineside/layering')
    .map((m) => ({ line: m.line, message: m.message }));
}

const forbidden: { name: string; file: string; code: string; message: string | RegExp }[] = [
  {
    name: '1. renderer → main',
    file: 'renderer/features/x.tsx',
    code: "import { startRuntime } from '../../main/app/runtime';\nexport const f = startRuntime;\n",
    message: "renderer may not import 'main/app/runtime' (renderer → main is forbidden by DESIGN.md layering",
  },
  {
    name: '2. renderer → node:fs',
    file: 'renderer/features/x.tsx',
    code: "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n",
    message: "renderer may not import 'node:fs' (renderer → Node builtins is forbidden",
  },
  {
    name: '3. renderer → electron',
    file: 'renderer/features/x.tsx',
    code: "import { ipcRenderer } from 'electron';\nexport const f = ipcRenderer;\n",
    message: "renderer may not import 'electron' (renderer → electron is forbidden",
  },
  {
    name: '4. shared → node:path',
    file: 'shared/x.ts',
    code: "import { join } from 'node:path';\nexport const f = join;\n",
    message: "shared may not import 'node:path' (shared → Node builtins is forbidden",
  },
  {
    name: '5. shared → bare builtin through a dynamic import',
    file: 'shared/x.ts',
    code: "export const f = () => import('fs');\n",
    message: "shared may not import 'fs' (shared → Node builtins is forbidden",
  },
  {
    name: '6. shared → main through export-from',
    file: 'shared/x.ts',
    code: "export * from '../main/util/log';\n",
    message: "shared may not import 'main/util/log' (shared → main is forbidden",
  },
  {
    name: '7. main/historian → main/drivers',
    file: 'main/historian/x.ts',
    code: "import type { Driver } from '../drivers/driver';\nexport type D = Driver;\n",
    message: "main/historian may not import 'main/drivers/driver' (main/historian → main/drivers is forbidden",
  },
  {
    name: '8. main/acquisition → node-opcua',
    file: 'main/acquisition/x.ts',
    code: "import { OPCUAClient } from 'node-opcua';\nexport const c = OPCUAClient;\n",
    message: "main/acquisition may not import 'node-opcua' (main/acquisition → npm package 'node-opcua' is forbidden",
  },
  {
    name: '9. main/acquisition → a concrete driver (only the Driver interface file is allowed)',
    file: 'main/acquisition/x.ts',
    code: "import * as modbus from '../drivers/modbus/modbus-tcp-driver';\nexport const m = modbus;\n",
    message: "main/acquisition may not import 'main/drivers/modbus/modbus-tcp-driver'",
  },
  {
    name: '10. main/acquisition → modbus-serial as an import type',
    file: 'main/acquisition/x.ts',
    code: "export type Client = import('modbus-serial').default;\n",
    message: "main/acquisition may not import 'modbus-serial'",
  },
  {
    name: '11. electron in main/app',
    file: 'main/app/x.ts',
    code: "import { app } from 'electron';\nexport const a = app;\n",
    message: "main/app may not import 'electron' (electron is allowed only in main/shell/electron*",
  },
  {
    name: '12. electron in the headless shell (main/shell/web.ts), through require',
    file: 'main/shell/web.ts',
    code: "// eslint-disable-next-line @typescript-eslint/no-require-imports\nconst electron = require('electron');\nexport const e = electron;\n",
    message: "main/shell may not import 'electron' (electron is allowed only in main/shell/electron*",
  },
  {
    name: '13. main → renderer',
    file: 'main/app/x.ts',
    code: "import * as ui from '../../renderer/main';\nexport const u = ui;\n",
    message: "main/app may not import 'renderer/main' (main/app → renderer is forbidden",
  },
  {
    name: '14. preload → Node builtins',
    file: 'preload/preload.ts',
    code: "import { readFileSync } from 'fs';\nexport const f = readFileSync;\n",
    message: "preload may not import 'fs' (preload → Node builtins is forbidden",
  },
  {
    name: '15. main/tags → Node builtins (pure module: time comes from the injected clock)',
    file: 'main/tags/x.ts',
    code: "import { setTimeout } from 'node:timers';\nexport const s = setTimeout;\n",
    message: "main/tags may not import 'node:timers'",
  },
];

for (const c of forbidden) {
  test(`forbidden: ${c.name}`, async () => {
    const errors = await layeringErrors(c.file, c.code);
    assert.equal(errors.length, 1, `expected one layering error, got ${JSON.stringify(errors)}`);
    if (typeof c.message === 'string') assert.ok(errors[0].message.includes(c.message), errors[0].message);
    else assert.match(errors[0].message, c.message);
  });
}

// Each allowed case ends with a control line that IS forbidden (renderer/shared/main → electron,
// or main/acquisition → node:fs): exactly one error, on that line, proves the file was linted by
// the rule and the allowed import passed.
const allowed: { name: string; file: string; code: string; control: string }[] = [
  {
    name: 'renderer → shared, react, react-dom/client, uplot css, zod',
    file: 'renderer/features/x.tsx',
    code: [
      "import { methodNames } from '../../shared/api';",
      "import { useState } from 'react';",
      "import { createRoot } from 'react-dom/client';",
      "import 'uplot/dist/uPlot.min.css';",
      "import { z } from 'zod';",
      'export const all = [methodNames, useState, createRoot, z];',
    ].join('\n'),
    control: "import 'electron';",
  },
  {
    name: 'main/shell/electron-main → electron, main/app, main/util',
    file: 'main/shell/electron-main.ts',
    code: [
      "import { app, BrowserWindow } from 'electron';",
      "import type { RuntimeHost } from '../app/runtime-host';",
      "import { createLogger } from '../util/log';",
      'export type H = RuntimeHost;',
      'export const all = [app, BrowserWindow, createLogger];',
    ].join('\n'),
    control: "import '../../renderer/main';",
  },
  {
    name: 'main/acquisition → main/drivers/driver, main/tags, shared',
    file: 'main/acquisition/x.ts',
    code: [
      "import type { Driver } from '../drivers/driver';",
      "import * as bus from '../tags/tag-bus';",
      "import type { TagValue } from '../../shared/types';",
      'export type D = [Driver, TagValue];',
      'export const b = bus;',
    ].join('\n'),
    control: "import 'node:fs';",
  },
  {
    name: 'preload → electron and shared',
    file: 'preload/preload.ts',
    code: [
      "import { contextBridge, ipcRenderer } from 'electron';",
      "import { methodNames } from '../shared/api';",
      'export const all = [contextBridge, ipcRenderer, methodNames];',
    ].join('\n'),
    control: "import 'node:fs';",
  },
  {
    name: 'main/historian → better-sqlite3 and Node builtins',
    file: 'main/historian/x.ts',
    code: [
      "import Database from 'better-sqlite3';",
      "import { join } from 'node:path';",
      'export const all = [Database, join];',
    ].join('\n'),
    control: "import 'electron';",
  },
];

for (const c of allowed) {
  test(`allowed: ${c.name}`, async () => {
    const code = `${c.code}\n${c.control}\n`;
    const controlLine = code.split('\n').indexOf(c.control) + 1;
    const errors = await layeringErrors(c.file, code);
    assert.deepEqual(
      errors.map((e) => e.line),
      [controlLine],
      `only the control line should be reported: ${JSON.stringify(errors)}`,
    );
  });
}

test('tests, benches and scripts may import anything', async () => {
  const code = "import { app } from 'electron';\nimport { readFileSync } from 'node:fs';\nimport * as r from '../../renderer/main';\nexport const all = [app, readFileSync, r];\n";
  for (const file of ['test/unit/x.test.ts', 'bench/x.ts', 'scripts/x.mjs']) {
    assert.deepEqual(await layeringErrors(file, code), [], file);
  }
});
