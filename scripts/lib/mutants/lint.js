/**
 * Lints one file of a program with the plugin's `recommended` config, typed:
 * ESLint's Linter with typescript-eslint's parser handed the program itself
 * (`parserOptions.programs`), so no project is looked up or built again.
 */
import { Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import handleLifetime from '../../../dist/index.js';
import { benchDir } from './codebases.js';

const linter = new Linter({ configType: 'flat', cwd: benchDir });

/** The plugin's reports on `text` (the text of `fileName` in `program`); a crash or parse error is returned as a message with `fatal`. */
export function lintFile(program, fileName, text) {
  const config = [
    // The code bases live in node_modules, which ESLint ignores by default.
    { ignores: ['!**/node_modules/'] },
    {
      files: ['**/*.ts', '**/*.tsx'],
      languageOptions: { parser: tseslint.parser, parserOptions: { programs: [program] } },
      // Shipped sources carry eslint-disable comments for rules that are not loaded here.
      linterOptions: { noInlineConfig: true, reportUnusedDisableDirectives: 'off' },
      plugins: handleLifetime.configs.recommended.plugins,
      rules: handleLifetime.configs.recommended.rules,
    },
  ];
  try {
    return linter.verify(text, config, { filename: fileName }).filter((message) => message.ruleId || message.fatal);
  } catch (error) {
    return [{ ruleId: null, fatal: true, message: `${error.constructor.name}: ${error.message}`, line: 0, column: 0 }];
  }
}
