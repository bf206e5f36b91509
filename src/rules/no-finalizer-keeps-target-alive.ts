import { lineOf, nameOf } from '../util/analysis.js';
import { createRule } from '../util/create-rule.js';
import { getFinalizationAnalysis } from '../util/finalization.js';

export type MessageIds = 'heldIsTarget' | 'heldReachesTarget' | 'callbackCapturesTarget';
export type Options = [];

export default createRule<Options, MessageIds>({
  name: 'no-finalizer-keeps-target-alive',
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow FinalizationRegistry held values and cleanup callbacks that refer to the registered target',
      recommended: true,
      requiresTypeChecking: true,
    },
    messages: {
      heldIsTarget: '`{{name}}` is both the target and the held value: `register` throws a TypeError when they are the same object.',
      heldReachesTarget:
        'The held value refers to the target `{{name}}` (through `{{holder}}`): the registry keeps held values alive, so the target is never collected and its finalizer never runs.',
      callbackCapturesTarget:
        'The cleanup callback of `{{holder}}` refers to `{{name}}`, which line {{line}} registers as a target: the registry keeps its callback alive, so the target is never collected and its finalizer never runs.',
    },
    schema: [],
  },
  defaultOptions: [],
  create(context) {
    const sourceCode = context.sourceCode;
    return {
      Program() {
        for (const finding of getFinalizationAnalysis(context).findings) {
          const name = nameOf(sourceCode, finding.subject);
          if (finding.kind === 'held-is-target') {
            context.report({ node: finding.node, messageId: 'heldIsTarget', data: { name } });
          } else if (finding.kind === 'held-reaches-target') {
            const through = finding.related?.parent ?? finding.node;
            context.report({ node: finding.node, messageId: 'heldReachesTarget', data: { name, holder: nameOf(sourceCode, through) } });
          } else if (finding.kind === 'callback-captures-target') {
            context.report({
              node: finding.node,
              messageId: 'callbackCapturesTarget',
              data: { name, holder: nameOf(sourceCode, finding.registry), line: finding.register ? lineOf(finding.register) : 0 },
            });
          }
        }
      },
    };
  },
});
