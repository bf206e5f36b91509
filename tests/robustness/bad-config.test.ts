// Bad configuration is a configuration error that names the rule and the
// option, raised by ESLint's schema check before any rule runs: never an
// exception from inside a rule.
import path from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import plugin from '../../src/index.js';
import { fixturesDir } from '../rule-tester.js';

type RuleName = keyof typeof plugin.rules;

async function lintWithRules(rules: Record<string, unknown>): Promise<Error | null> {
  const eslint = new ESLint({
    cwd: fixturesDir,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.ts'],
        languageOptions: {
          parser: tseslint.parser,
          parserOptions: { project: './tsconfig.json', tsconfigRootDir: fixturesDir, disallowAutomaticSingleRunInference: true },
        },
        plugins: { 'handle-lifetime': plugin as never },
        rules: rules as never,
      },
    ],
  });
  try {
    await eslint.lintText(`import { malloc, free } from './handles';\nexport function f() { const p = malloc(1); free(p); }\n`, {
      filePath: path.join(fixturesDir, 'file.ts'),
    });
    return null;
  } catch (error) {
    return error as Error;
  }
}

/** The error is ESLint's schema check of the rule's options, not a throw from the plugin's code. */
function expectSchemaError(error: Error | null, ruleId: string): string {
  expect(error).toBeInstanceOf(Error);
  const { message, stack = '' } = error!;
  expect(message).toMatch(new RegExp(`^Key "rules": Key "${ruleId}":\\n`));
  expect(message).not.toMatch(/\n\s+at /);
  expect(stack).not.toMatch(/[/\\](src|dist)[/\\](rules|analysis|util)[/\\]/);
  return message;
}

const rulesWithObjectOptions = (Object.keys(plugin.rules) as RuleName[]).filter((name) => {
  const schema = plugin.rules[name].meta.schema;
  return Array.isArray(schema) && schema.length > 0;
});
const rulesWithoutOptions = (Object.keys(plugin.rules) as RuleName[]).filter((name) => !rulesWithObjectOptions.includes(name));

describe('bad configuration gives a schema error', () => {
  it('an unknown option is named, with the options the rule has', async () => {
    const message = expectSchemaError(
      await lintWithRules({ 'handle-lifetime/no-leaked-handle': ['error', { checkExceptionPath: true }] }),
      'handle-lifetime/no-leaked-handle',
    );
    expect(message).toContain('Unexpected property "checkExceptionPath". Expected properties: "checkExceptionPaths", "checkWeaklyInferred".');
  });

  it.each(rulesWithObjectOptions)('%s: an unknown option is named', async (name) => {
    const message = expectSchemaError(await lintWithRules({ [`handle-lifetime/${name}`]: ['error', { noSuchOption: 1 }] }), `handle-lifetime/${name}`);
    expect(message).toContain('Unexpected property "noSuchOption"');
  });

  it.each(rulesWithoutOptions)('%s: an option for a rule that takes none is rejected', async (name) => {
    const message = expectSchemaError(await lintWithRules({ [`handle-lifetime/${name}`]: ['error', { noSuchOption: 1 }] }), `handle-lifetime/${name}`);
    expect(message).toContain('should NOT have more than 0 items');
  });

  it('an option of the wrong type names the rule, the value and the expected type', async () => {
    // ESLint's message shows the bad value and the expected type but not the
    // option's key (for any plugin); the rule name and the value point to it.
    const message = expectSchemaError(
      await lintWithRules({ 'handle-lifetime/no-leaked-handle': ['error', { checkExceptionPaths: 'yes' }] }),
      'handle-lifetime/no-leaked-handle',
    );
    expect(message).toContain('Value "yes" should be boolean.');
  });

  it('an array option with an entry of the wrong type is rejected', async () => {
    const message = expectSchemaError(
      await lintWithRules({ 'handle-lifetime/no-append-only-handle-store': ['error', { allow: ['cache', 42] }] }),
      'handle-lifetime/no-append-only-handle-store',
    );
    expect(message).toContain('Value 42 should be string.');
  });

  it('the presets and the documented options are accepted', async () => {
    for (const preset of ['recommended', 'strict', 'all'] as const) {
      expect(await lintWithRules(plugin.configs[preset].rules as Record<string, unknown>)).toBeNull();
    }
    expect(await lintWithRules({ 'handle-lifetime/no-append-only-handle-store': ['error', { allow: ['cache'], checkUnreachedRemovals: true }] })).toBeNull();
  });
});

// Settings (`settings['handle-lifetime']`) are not rule options: ESLint does
// not check them, the plugin does (src/analysis/model/settings.ts), on the first
// rule that reads them. A bad entry fails the lint with an error naming its
// path in the settings, not a crash deeper in the analysis.
async function lintWithSettings(settings: unknown): Promise<Error | null> {
  const eslint = new ESLint({
    cwd: fixturesDir,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.ts'],
        languageOptions: {
          parser: tseslint.parser,
          parserOptions: { project: './tsconfig.json', tsconfigRootDir: fixturesDir, disallowAutomaticSingleRunInference: true },
        },
        settings: { 'handle-lifetime': settings },
      },
      plugin.configs.recommended as never,
    ],
  });
  try {
    await eslint.lintText(`import { malloc, free } from './handles';\nexport function f() { const p = malloc(1); free(p); }\n`, {
      filePath: path.join(fixturesDir, 'file.ts'),
    });
    return null;
  } catch (error) {
    return error as Error;
  }
}

describe('bad settings give an error naming the setting', () => {
  it.each([
    ['an entry of the wrong type', { release: [{ function: 'free', operand: 'first' }] }, 'release[0].operand'],
    ['an unknown key', { relase: [{ function: 'free' }] }, 'relase'],
    ['a list that is not a list', { acquire: 'malloc' }, 'acquire'],
    ['an unknown preset', { presets: { noSuchPreset: true } }, 'noSuchPreset'],
  ])('%s', async (_name, settings, named) => {
    const error = await lintWithSettings(settings);
    expect(error).toBeInstanceOf(Error);
    const firstLine = error!.message.split('\n')[0];
    expect(firstLine).toContain('handle-lifetime settings');
    expect(firstLine).toContain(named);
  });

  it('good settings are accepted', async () => {
    expect(await lintWithSettings({ presets: {}, release: [{ function: 'free', operand: 0 }], acquire: ['malloc'] })).toBeNull();
  });
});
