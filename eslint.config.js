// The project lints itself with its own recommended config (dogfood).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import handleLifetime from './dist/index.js';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'tests/fixtures/', 'examples/', 'bench/.corpus/', 'bench/editor/work/', 'tests/scratch/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  handleLifetime.configs.recommended,
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['scripts/**/*.js', 'eslint.config.js', '.eslint-doc-generatorrc.js'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['**/*.js'],
    rules: Object.fromEntries(Object.keys(handleLifetime.rules).map((rule) => [`handle-lifetime/${rule}`, 'off'])),
  },
);
