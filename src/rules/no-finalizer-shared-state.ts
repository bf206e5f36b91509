import { nameOf } from '../util/analysis.js';
import { createRule } from '../util/create-rule.js';
import { getFinalizationAnalysis } from '../util/finalization.js';

export type MessageIds = 'sharedWrite';
export type Options = [];

export default createRule<Options, MessageIds>({
  name: 'no-finalizer-shared-state',
  meta: {
    type: 'suggestion',
    docs: {
      description: 'Disallow FinalizationRegistry cleanup callbacks that write to state they were not handed',
      strict: true,
      requiresTypeChecking: true,
    },
    messages: {
      sharedWrite:
        'The cleanup callback of `{{holder}}` writes to `{{name}}`, which it was not handed: the callback runs whenever the garbage collector decides, after any `await` or task, so this write can land between any two steps of the code that uses `{{name}}`.',
    },
    schema: [],
  },
  defaultOptions: [],
  create(context) {
    const sourceCode = context.sourceCode;
    return {
      Program() {
        for (const finding of getFinalizationAnalysis(context).findings) {
          if (finding.kind !== 'callback-writes-shared-state') continue;
          context.report({
            node: finding.node,
            messageId: 'sharedWrite',
            data: { holder: nameOf(sourceCode, finding.registry), name: nameOf(sourceCode, finding.subject) },
          });
        }
      },
    };
  },
});
