import { lineOf, nameOf } from '../util/analysis.js';
import { createRule } from '../util/create-rule.js';
import { getFinalizationAnalysis } from '../util/finalization.js';

export type MessageIds = 'unregisterWithoutToken' | 'unregisterUnknownToken';
export type Options = [];

export default createRule<Options, MessageIds>({
  name: 'no-unregister-without-token',
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow FinalizationRegistry unregister calls with a value that no registration passed as its token',
      recommended: true,
      requiresTypeChecking: true,
    },
    messages: {
      unregisterWithoutToken:
        '`{{holder}}.unregister({{name}})` does nothing: no registration of `{{holder}}` in this file passes an unregister token (see line {{line}}), so the finalizer still runs.',
      unregisterUnknownToken:
        '`{{holder}}.unregister({{name}})` does nothing: `{{name}}` is not the token of any registration of `{{holder}}` in this file (line {{line}} registers with `{{keyword}}`), so the finalizer still runs.',
    },
    schema: [],
  },
  defaultOptions: [],
  create(context) {
    const sourceCode = context.sourceCode;
    return {
      Program() {
        for (const finding of getFinalizationAnalysis(context).findings) {
          if (finding.kind !== 'unregister-unknown-token') continue;
          context.report({
            node: finding.node,
            messageId: finding.tokenless ? 'unregisterWithoutToken' : 'unregisterUnknownToken',
            data: {
              holder: nameOf(sourceCode, finding.registry),
              name: nameOf(sourceCode, finding.subject),
              line: finding.register ? lineOf(finding.register) : 0,
              keyword: finding.token ? nameOf(sourceCode, finding.token) : '',
            },
          });
        }
      },
    };
  },
});
