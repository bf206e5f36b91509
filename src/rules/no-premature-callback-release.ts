import type { ScopeManager } from '@typescript-eslint/scope-manager';
import { ESLintUtils } from '@typescript-eslint/utils';
import { analyzeNativeCallbacks, handleModelFor } from '../analysis/index.js';
import { createRule } from '../util/create-rule.js';
import { analysisOptionsFor, lineOf, nameOf } from '../util/analysis.js';

export type MessageIds = 'releasedWhileRegistered';
export type Options = [];

export default createRule<Options, MessageIds>({
  name: 'no-premature-callback-release',
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow releasing a native callback while native code still holds it',
      recommended: true,
      requiresTypeChecking: true,
    },
    messages: {
      releasedWhileRegistered:
        '`{{name}}` is released here while `{{object}}` at line {{line}} still holds it on this path: the next call from native code jumps into freed memory. Unregister it first.',
    },
    schema: [],
  },
  defaultOptions: [],
  create(context) {
    return {
      Program() {
        const services = ESLintUtils.getParserServices(context);
        const sourceCode = context.sourceCode;
        const analysis = analyzeNativeCallbacks(
          { ast: sourceCode.ast, services, scopeManager: sourceCode.scopeManager as ScopeManager },
          handleModelFor(services.program, analysisOptionsFor(context)),
        );
        for (const finding of analysis.findings) {
          context.report({
            node: finding.node,
            messageId: 'releasedWhileRegistered',
            data: {
              name: nameOf(sourceCode, finding.subject),
              object: nameOf(sourceCode, finding.registration.callee),
              line: lineOf(finding.registration),
            },
          });
        }
      },
    };
  },
});
