// ESLint flat config: typescript-eslint's recommended rules without type information (fast:
// no program is built), plus the project's standards. Import boundaries and cycles are checked
// by dependency-cruiser (.dependency-cruiser.cjs); formatting is Prettier's.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', 'generated/src/**', '**/dist/**', 'test-results/**', '.switchboard/**', '.turbo/**', 'docs/**'],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      // Standards: no `any` for clients, internals or error bodies; no @ts-ignore.
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/ban-ts-comment': [
        'error',
        { 'ts-expect-error': 'allow-with-description', 'ts-ignore': true, 'ts-nocheck': true },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // TypeScript checks these already (and knows the Node and DOM globals).
      'no-undef': 'off',
      'no-redeclare': 'off',
    },
  },
  {
    // Type tests declare values only to check their types; the compiler, not the runtime, reads them.
    files: ['**/*.test-d.ts'],
    rules: { '@typescript-eslint/no-unused-vars': 'off' },
  },
  {
    // The codegen walks parsed YAML whose shape the parser checked but TypeScript cannot know (one `Doc` alias).
    files: ['scripts/codegen/model.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    languageOptions: { globals: { module: 'writable', require: 'readonly', process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
