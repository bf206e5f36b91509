import { createRule } from '../util/create-rule.js';
import { getFileAnalysis, lineOf, nameOf, releaseLines } from '../util/analysis.js';

export type MessageIds = 'useAfterRelease' | 'mayUseAfterRelease' | 'returnAfterRelease';
export type Options = [];

export default createRule<Options, MessageIds>({
  name: 'no-use-after-release',
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow using a native handle after it was released',
      recommended: true,
      requiresTypeChecking: true,
    },
    messages: {
      useAfterRelease:
        '`{{name}}` is used after it was released at {{released}}: its memory may already belong to another allocation.',
      mayUseAfterRelease:
        '`{{name}}` may be used after it was released: on some path it was released at {{released}}.',
      returnAfterRelease:
        '`{{name}}` is returned after it was released at {{released}}: the caller receives a dangling handle.',
    },
    schema: [],
  },
  defaultOptions: [],
  create(context) {
    return {
      Program() {
        for (const finding of getFileAnalysis(context).findings) {
          if (finding.kind !== 'use-after-release') continue;
          const messageId =
            finding.useKind === 'return' || finding.useKind === 'store'
              ? 'returnAfterRelease'
              : finding.certainty === 'always'
                ? 'useAfterRelease'
                : 'mayUseAfterRelease';
          context.report({
            node: finding.node,
            messageId,
            data: { name: nameOf(context.sourceCode, finding.subject), released: releaseLines(finding), line: lineOf(finding.node) },
          });
        }
      },
    };
  },
});
