// Lint: type-aware rules for async safety, and the layering rules from ARCHITECTURE.md.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const transportOnly = ['@slack/*', 'bullmq', 'ioredis', '**/transport/**'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-console': 'off',
    },
  },
  {
    // Operations and state know nothing of Slack, queues, the terminal or renderers.
    files: ['src/operations/**', 'src/state/**', 'src/domain/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [...transportOnly, '**/render/**', '**/main.js', 'pino'] },
      ],
    },
  },
  {
    // Renderers are pure functions of domain values.
    files: ['src/render/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [...transportOnly, '**/operations/**', '**/state/**', 'etcd3'] },
      ],
    },
  },
  {
    files: ['test/**', 'bench/**'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
  {
    // The playground page's script: plain browser JavaScript, no types, no build step.
    files: ['demo/public/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: 'script',
      globals: Object.fromEntries(
        ['document', 'window', 'fetch', 'EventSource', 'requestAnimationFrame', 'setTimeout'].map(
          (name) => [name, 'readonly'],
        ),
      ),
    },
  },
);
