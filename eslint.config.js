import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/*
 * Boundaries that hold themselves (docs/architecture.md, "What may import
 * what"). Flat config replaces a rule per matching block rather than merging
 * its options, so each folder's block lists every pattern that applies to it.
 */

/** An import reaching into one of these top-level folders (relative or not). */
const folder = (...names) => `(^|/)(${names.join('|')})(/|$)`;

const NOT_FROM_FUNCTIONS = {
  regex: folder('tools', 'producer', 'localcloud', 'localstack', 'infra', 'test'),
  message:
    'functions/ is what the Lambda bundles hold: it imports no tools/, producer/, localcloud/, localstack/, infra/ or test/ code.',
};

const CORE_IS_PURE = [
  NOT_FROM_FUNCTIONS,
  {
    regex: '^@aws-sdk/',
    message:
      'functions/core is pure: no AWS SDK (adapters live in functions/store, aws, telemetry).',
  },
  {
    regex: '^@aws-lambda-powertools/',
    message: 'functions/core is pure: logging and metrics belong to the handlers and telemetry/.',
  },
  {
    regex:
      '^(node:)?(fs|fs/promises|net|http|https|http2|child_process|worker_threads|cluster|dgram|dns|tls|readline|os)$',
    message: 'functions/core is pure: no node I/O modules.',
  },
  {
    regex: '^(\\.\\./)+(store|handlers|telemetry|aws|runtime)(/|$)',
    message: 'Stores and handlers depend on the core, never the other way.',
  },
];

const NOT_FROM_LOCALCLOUD = {
  regex: '^(\\.\\./)+(functions|tools|producer|infra|localstack|test)(/|$)',
  message:
    'localcloud/ is a generic cloud: it imports only node:*, the AWS SDK, its emulator packages and its own files.',
};

/*
 * Size: no source file over 400 lines, no function over ~80, over the whole
 * tree but the tests.
 */
const SIZED = ['**/*.ts', '**/*.js'];
const NOT_SIZED = ['test/**'];

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', 'reports/', '.streamscale/', 'test-artifacts/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['functions/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [NOT_FROM_FUNCTIONS] }] },
  },
  {
    files: ['functions/core/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: CORE_IS_PURE }] },
  },
  {
    files: ['localcloud/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [NOT_FROM_LOCALCLOUD] }] },
  },
  {
    files: SIZED,
    ignores: NOT_SIZED,
    rules: {
      'max-lines': ['error', { max: 400 }],
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }],
    },
  },
);
