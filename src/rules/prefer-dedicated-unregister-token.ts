import { nameOf } from '../util/analysis.js';
import { createRule } from '../util/create-rule.js';
import { getFinalizationAnalysis } from '../util/finalization.js';

export type MessageIds = 'tokenIsTarget';
export type Options = [];

export default createRule<Options, MessageIds>({
  name: 'prefer-dedicated-unregister-token',
  meta: {
    type: 'suggestion',
    docs: {
      description: 'Require a dedicated unregister token rather than the registered target itself',
      strict: true,
      requiresTypeChecking: true,
    },
    messages: {
      tokenIsTarget:
        '`{{name}}` is both the target and the unregister token of this registration: only code that still holds `{{name}}` can disarm the finalizer. Register with a dedicated token (`{}`) kept next to the handle, and unregister with it.',
    },
    schema: [],
  },
  defaultOptions: [],
  create(context) {
    const sourceCode = context.sourceCode;
    return {
      Program() {
        for (const finding of getFinalizationAnalysis(context).findings) {
          if (finding.kind !== 'token-is-target') continue;
          context.report({ node: finding.node, messageId: 'tokenIsTarget', data: { name: nameOf(sourceCode, finding.subject) } });
        }
      },
    };
  },
});
