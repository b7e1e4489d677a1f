// ESLint flat config. Syntax-level rules only (no type-aware rules), so `eslint .` stays fast;
// the type checker runs separately (scripts/build.mjs). The layering rules of DESIGN.md are
// enforced by the local rule `lineside/layering` (eslint-rules/layering.mjs).
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';
import lineside from './eslint-rules/layering.mjs';

// Layers are path prefixes relative to this file's folder, whatever the working directory.
const root = dirname(fileURLToPath(import.meta.url));

const tsFiles = ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts'];
const jsFiles = ['**/*.js', '**/*.mjs', '**/*.cjs'];

// Build and config scripts run under Node: give them the globals of the Node running ESLint.
const nodeGlobals = Object.fromEntries(Object.getOwnPropertyNames(globalThis).map((name) => [name, 'readonly']));

const unusedVars = [
  'error',
  {
    args: 'after-used',
    argsIgnorePattern: '^_',
    varsIgnorePattern: '^_',
    caughtErrorsIgnorePattern: '^_',
    destructuredArrayIgnorePattern: '^_',
    ignoreRestSiblings: true,
  },
];

export default defineConfig(
  { ignores: ['dist/', 'node_modules/', 'release/', 'test-results/', '.data/', 'build/native/'] },

  {
    files: jsFiles,
    extends: [js.configs.recommended],
    languageOptions: { ecmaVersion: 'latest', sourceType: 'module', globals: nodeGlobals },
    rules: { 'no-unused-vars': unusedVars },
  },

  {
    files: tsFiles,
    extends: [js.configs.recommended, tseslint.configs.recommended],
    rules: {
      '@typescript-eslint/no-unused-vars': unusedVars,
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },

  {
    files: [...tsFiles, ...jsFiles],
    plugins: { lineside },
    settings: { lineside: { root } },
    rules: { 'lineside/layering': 'error' },
  },
);
