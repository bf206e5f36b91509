import { createRule } from '../util/create-rule.js';
import { checkWeaklyInferredSchema, getFileAnalysis, inferredData, lineOf, nameOf, ownerClassNote, releaseLines, reportsInferred, withFileScan } from '../util/analysis.js';

export type MessageIds =
  | 'useAfterRelease'
  | 'mayUseAfterRelease'
  | 'returnAfterRelease'
  | 'storeAfterRelease'
  | 'releasedAfterReturn'
  | 'returnOfUsing'
  | 'useAfterReleaseInferred';
export type Options = [
  {
    /** Also report handles inferred from usage on weak evidence. */
    checkWeaklyInferred?: boolean;
  },
];

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
      useAfterReleaseInferred:
        'Inferred from usage: values of `{{api}}` are {{verb}} in {{releasing}} of the {{keeping}} functions that make one ({{places}}); `{{name}}` is used here after it was {{verb}} at {{released}}.',
      useAfterRelease:
        '`{{name}}` is used after it was released at {{released}}: its memory may already belong to another allocation.{{why}}',
      mayUseAfterRelease:
        '`{{name}}` may be used after it was released: on some path it was released at {{released}}.{{why}}',
      returnAfterRelease:
        '`{{name}}` is returned after it was released at {{released}}: the caller receives a dangling handle.',
      storeAfterRelease:
        '`{{name}}` is stored after it was released at {{released}}: whoever reads it later gets a dangling handle.',
      releasedAfterReturn:
        '`{{name}}` is released here after the `return` at line {{line}} handed it to the caller: the caller receives a dangling handle.',
      returnOfUsing:
        '`{{name}}` is returned, but its `using` declaration at line {{line}} disposes it as the function returns: the caller receives a disposed handle.',
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
          if (finding.kind !== 'use-after-release' || !reportsInferred(finding.inferred, options)) continue;
          const messageId: MessageIds = finding.inferred
            ? 'useAfterReleaseInferred'
            : finding.useKind === 'released-after-return'
              ? finding.usingDeclaration
                ? 'returnOfUsing'
                : 'releasedAfterReturn'
              : finding.useKind === 'return'
                ? 'returnAfterRelease'
                : finding.useKind === 'store'
                  ? 'storeAfterRelease'
                  : finding.certainty === 'always'
                    ? 'useAfterRelease'
                    : 'mayUseAfterRelease';
          const otherLine =
            messageId === 'returnOfUsing'
              ? lineOf(finding.usingDeclaration!)
              : messageId === 'releasedAfterReturn'
                ? lineOf(finding.subject)
                : lineOf(finding.node);
          context.report({
            node: finding.node,
            messageId,
            data: { name: nameOf(context.sourceCode, finding.subject), released: releaseLines(finding), line: otherLine, why: ownerClassNote(context, analysis, finding.subject), ...(finding.inferred ? inferredData(finding) : {}) },
          });
        }
      },
    });
  },
});
