/**
 * eslint-plugin-handle-lifetime: finds unsafe lifetimes of native handles
 * (wasm and FFI pointers, embind and wasm-bindgen objects, Disposables).
 */
import { createRequire } from 'node:module';
import type { TSESLint } from '@typescript-eslint/utils';
import { rules } from './rules/index.js';

const require = createRequire(import.meta.url);
const { name, version } = require('../package.json') as { name: string; version: string };

const namespace = 'handle-lifetime';

type RuleName = keyof typeof rules;
type RuleLevels = Record<`${typeof namespace}/${RuleName}`, TSESLint.Linter.RuleEntry>;

/** Rule settings for a preset: recommended ⊂ strict ⊂ all. */
function ruleLevels(preset: 'recommended' | 'strict' | 'all'): RuleLevels {
  const levels = {} as RuleLevels;
  for (const [ruleName, rule] of Object.entries(rules) as [RuleName, (typeof rules)[RuleName]][]) {
    const docs = rule.meta.docs as { recommended?: boolean; strict?: boolean };
    const included = preset === 'all' || docs.recommended === true || (preset === 'strict' && docs.strict === true);
    if (!included) continue;
    levels[`${namespace}/${ruleName}`] = 'error';
  }
  if (preset !== 'recommended') {
    // Handles inferred from usage on weak evidence too (`recommended` reports strong evidence only).
    for (const ruleName of ['no-use-after-release', 'no-double-release', 'no-dangling-handle-field', 'require-owned-field-release'] as const) {
      levels[`${namespace}/${ruleName}`] = ['error', { checkWeaklyInferred: true }];
    }
    levels[`${namespace}/no-leaked-handle`] = ['error', { checkExceptionPaths: true, checkWeaklyInferred: true }];
    levels[`${namespace}/no-append-only-handle-store`] = ['error', { checkUnreachedRemovals: true }];
  }
  return levels;
}

const plugin = {
  meta: { name, version, namespace },
  rules,
  configs: {} as Record<'recommended' | 'strict' | 'all', TSESLint.FlatConfig.Config>,
};

for (const preset of ['recommended', 'strict', 'all'] as const) {
  plugin.configs[preset] = {
    name: `${namespace}/${preset}`,
    plugins: { [namespace]: plugin as unknown as TSESLint.FlatConfig.Plugin },
    rules: ruleLevels(preset),
  };
}

export default plugin;
