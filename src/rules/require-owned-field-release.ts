import type { TSESLint } from '@typescript-eslint/utils';
import type { ClassObligationFinding } from '../analysis/index.js';
import { checkWeaklyInferredSchema, getFileAnalysis, inferredNote, lineOf, reportsInferred, withFileScan } from '../util/analysis.js';
import { createRule } from '../util/create-rule.js';

export type MessageIds = 'noReleaseMethod' | 'fieldNotReleased' | 'childNotDisposed' | 'fieldReleasedOnSomePaths' | 'fieldOverwritten';
export type Options = [
  {
    /** Also report handles inferred from usage on weak evidence. */
    checkWeaklyInferred?: boolean;
  },
];

export default createRule<Options, MessageIds>({
  name: 'require-owned-field-release',
  meta: {
    type: 'problem',
    docs: {
      description: 'Require a class that owns handles to release every one of them in its dispose method',
      recommended: true,
      requiresTypeChecking: true,
    },
    messages: {
      noReleaseMethod:
        '`{{class}}` owns {{fields}} but has no method that releases {{them}}: every instance leaks {{them}}. Add `dispose()` or `[Symbol.dispose]()`.{{why}}',
      fieldNotReleased:
        '`{{method}}` does not release `this.{{field}}` (acquired at line {{line}}): every disposed `{{class}}` still leaks it.{{why}}',
      childNotDisposed:
        '`{{method}}` does not dispose `this.{{field}}`, a Disposable child created at line {{line}}: the dispose chain stops here, and everything the child owns leaks.',
      fieldReleasedOnSomePaths:
        '`{{method}}` releases `this.{{field}}` (acquired at line {{line}}) on some paths only: on the others the disposed `{{class}}` leaks it.{{why}}',
      fieldOverwritten:
        '`this.{{field}}` is given a new handle here while it still owns the one acquired at line {{line}}: release the old one first, or it leaks.{{why}}',
    },
    schema: [{ type: 'object', additionalProperties: false, properties: { checkWeaklyInferred: checkWeaklyInferredSchema } }],
    defaultOptions: [{ checkWeaklyInferred: false }],
  },
  defaultOptions: [{ checkWeaklyInferred: false }],
  create(context, [options]) {
    return withFileScan(context, {
      'Program:exit'() {
        for (const finding of getFileAnalysis(context).classFindings) {
          // A field whose handle is inferred on weaker evidence than the rule asks for is no obligation.
          const fields = finding.fields.filter((field) => reportsInferred(field.inferred, options));
          if (fields.length > 0) report(context, { ...finding, fields });
        }
      },
    });
  },
});

function report(context: Readonly<TSESLint.RuleContext<MessageIds, Options>>, finding: ClassObligationFinding): void {
  const [field] = finding.fields;
  const inferred = finding.fields.find((owned) => owned.inferred)?.inferred;
  const data = {
    class: finding.className,
    method: finding.method ?? 'dispose',
    field: field.name,
    line: lineOf(field.acquiredAt),
    fields: finding.fields.map((owned) => `\`this.${owned.name}\` (line ${lineOf(owned.acquiredAt)})`).join(', '),
    them: finding.fields.length === 1 ? 'it' : 'them',
    why: inferred ? inferredNote(inferred) : '',
  };
  const messageId: MessageIds =
    finding.kind === 'no-release-method'
      ? 'noReleaseMethod'
      : finding.kind === 'field-overwritten'
        ? 'fieldOverwritten'
        : finding.kind === 'field-released-on-some-paths'
          ? 'fieldReleasedOnSomePaths'
          : field.disposable
            ? 'childNotDisposed'
            : 'fieldNotReleased';
  context.report({ node: finding.node, messageId, data });
}
