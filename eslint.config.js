// ESLint: typescript-eslint's recommended type-checked rules over src/, test/, bench/ and scripts/ (`npm run lint`,
// which also runs `prettier --check`). A rule is turned off only where a reason is given next to it.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const UNSAFE_ANY = {
  '@typescript-eslint/no-unsafe-member-access': 'off',
  '@typescript-eslint/no-unsafe-call': 'off',
  '@typescript-eslint/no-unsafe-assignment': 'off',
  '@typescript-eslint/no-unsafe-return': 'off',
  '@typescript-eslint/no-unsafe-argument': 'off',
};

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'dist-web*/',
      'lib/',
      'lib.building-*/',
      '.cache/',
      'node_modules/',
      'public/',
      'patches/',
      'src/web/worker/generated/',
      '**/*.d.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    rules: {
      // TypeScript's noUnusedLocals/noUnusedParameters check this too; a leading _ marks a parameter an interface
      // requires (`lock(_timeoutMs)`) or a field left out on purpose by destructuring.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Driver methods and library callbacks are async to meet a Promise-returning interface (Driver.close, Kysely's
      // migration provider, vitest's hooks) even where nothing inside waits.
      '@typescript-eslint/require-await': 'off',
      // The methods passed around as values are plain functions that never use `this`: the command's io (out/err),
      // fengari's `lua` namespace, Node's fs and React's setters. The rule cannot tell them from class methods.
      '@typescript-eslint/unbound-method': 'off',
      // Messages show database values and ids (SqlValue, a lock holder's pid) as String() prints them, on purpose.
      '@typescript-eslint/restrict-template-expressions': 'off',
      // React event handlers may be async: each catches its own errors (the store reports them).
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      // A rejection passes on what the library threw (pg, Node's child process), whatever its type.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
      // The SQL lexers and the share-link framing match control characters on purpose.
      'no-control-regex': 'off',
      // Scope chains are walked from `this` (`for (let s = this; s; s = s.parent)`).
      '@typescript-eslint/no-this-alias': 'off',
      // It misreads a variable set in try and read in finally (the run lock's release, the status read by dbView).
      'no-useless-assignment': 'off',
    },
  },
  {
    // fengari (Lua in JavaScript) ships no types; src/types/fengari.d.ts gives its C-style API as `any`, which every
    // call into the Lua state goes through (the bench's fengari floor calls it directly, as the floor must).
    files: ['src/core/lua/**', 'src/types/**', 'bench/fengari-floor-process.ts'],
    rules: UNSAFE_ANY,
  },
  {
    // Tests read the command's JSON output and the worker's messages as parsed JSON (`any`) and assert their shape
    // with expect(…), which is the check these rules would ask for.
    files: ['test/**'],
    rules: { ...UNSAFE_ANY, '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Plain JavaScript (the bin, scripts, this file): no TypeScript project, so no type-aware rules.
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly' },
    },
  },
);
