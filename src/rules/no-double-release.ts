import { createRule } from '../util/create-rule.js';
import { checkWeaklyInferredSchema, getFileAnalysis, inferredData, lineOf, nameOf, ownerClassNote, releaseLines, reportsInferred, withFileScan } from '../util/analysis.js';

export type MessageIds = 'doubleRelease' | 'mayDoubleRelease' | 'releaseInLoop' | 'releaseOfUsing' | 'doubleReleaseInferred';
export type Options = [
  {
    /** Also report handles inferred from usage on weak evidence. */
    checkWeaklyInferred?: boolean;
  },
];

export default createRule<Options, MessageIds>({
  name: 'no-double-release',
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow releasing a native handle twice',
      recommended: true,
      requiresTypeChecking: true,
    },
    messages: {
      doubleRelease:
        '`{{name}}` is released again here after it was released at {{released}}: the second release frees an address that may now belong to another allocation.{{why}}',
      mayDoubleRelease:
        '`{{name}}` may be released twice: on some path it was already released at {{released}}.{{why}}',
      releaseOfUsing:
        '`{{name}}` is released here, and its `using` declaration at line {{line}} disposes it again when the block exits.',
      releaseInLoop:
        '`{{name}}` is released on every iteration of this loop but acquired only once{{acquired}}: the second iteration releases it again.{{why}}',
      doubleReleaseInferred:
        'Inferred from usage: values of `{{api}}` are {{verb}} in {{releasing}} of the {{keeping}} functions that make one ({{places}}); `{{name}}` is {{verb}} again here after it was {{verb}} at {{released}}.',
    },
    schema: [{ type: 'object', additionalProperties: false, properties: { checkWeaklyInferred: checkWeaklyInferredSchema } }],
    defaultOptions: [{ checkWeaklyInferred: false }],
  },
  defaultOptions: [{ checkWeaklyInferred: false }],
  create(context, [options]) {
    return withFileScan(context, {
      'Program:exit'() {
        const analysis = getFileAnalysis(context);
        for (const finding of analysis.findings) {
          if (finding.kind !== 'double-release' || !reportsInferred(finding.inferred, options)) continue;
          const messageId: MessageIds = finding.inferred
            ? 'doubleReleaseInferred'
            : finding.usingDeclaration
            ? 'releaseOfUsing'
            : finding.inLoop
              ? 'releaseInLoop'
              : finding.certainty === 'always'
                ? 'doubleRelease'
                : 'mayDoubleRelease';
          context.report({
            node: finding.node,
            messageId,
            data: {
              name: nameOf(context.sourceCode, finding.subject),
              released: releaseLines(finding),
              acquired: finding.acquiredAt ? ` (at line ${lineOf(finding.acquiredAt)})` : '',
              line: finding.usingDeclaration ? lineOf(finding.usingDeclaration) : 0,
              why: ownerClassNote(context, analysis, finding.subject),
              ...(finding.inferred ? inferredData(finding) : {}),
            },
          });
        }
      },
    });
  },
});
