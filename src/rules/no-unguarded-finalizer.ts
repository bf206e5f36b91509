import type { TSESLint } from '@typescript-eslint/utils';
import type { FinalizerFinding } from '../analysis/index.js';
import { lineOf, nameOf } from '../util/analysis.js';
import { createRule } from '../util/create-rule.js';
import { applyEdits, getFinalizationAnalysis } from '../util/finalization.js';

export type MessageIds =
  | 'registerWithoutToken'
  | 'releaseWithoutUnregister'
  | 'takeOutWithoutUnregister'
  | 'addUnregisterToken'
  | 'unregisterFirst';
export type Options = [];

export default createRule<Options, MessageIds>({
  name: 'no-unguarded-finalizer',
  meta: {
    type: 'problem',
    hasSuggestions: true,
    docs: {
      description: 'Require a FinalizationRegistry finalizer to be unregistered before its handle is released explicitly',
      recommended: true,
      requiresTypeChecking: true,
    },
    messages: {
      registerWithoutToken:
        '`{{name}}` is registered with `{{holder}}` without an unregister token, but it is {{released}}: nothing can disarm this finalizer, so it frees the address again later, when the address may belong to a new handle.',
      releaseWithoutUnregister:
        '`{{name}}` is released here while the finalizer registered at line {{line}} is still armed: call `{{holder}}.unregister({{keyword}})` first, or the finalizer frees the address again later, when it may belong to a new handle.',
      takeOutWithoutUnregister:
        '`{{name}}` leaves the object here while the finalizer registered at line {{line}} is still armed: call `{{holder}}.unregister({{keyword}})` first, or the finalizer frees it behind the new owner\'s back.',
      addUnregisterToken: 'Register `{{name}}` with a dedicated unregister token and unregister it before each explicit release.',
      unregisterFirst: 'Call `{{holder}}.unregister({{keyword}})` before the release.',
    },
    schema: [],
  },
  defaultOptions: [],
  create(context) {
    const sourceCode = context.sourceCode;
    return {
      Program() {
        for (const finding of getFinalizationAnalysis(context).findings) {
          if (finding.kind === 'register-without-token') reportRegistration(finding);
          else if (finding.kind === 'release-without-unregister') reportRelease(finding);
        }
      },
    };

    function reportRegistration(finding: FinalizerFinding): void {
      const name = nameOf(sourceCode, finding.subject);
      const holder = nameOf(sourceCode, finding.registry);
      const line = finding.related ? lineOf(finding.related) : lineOf(finding.node);
      const suggest: TSESLint.SuggestionReportDescriptor<MessageIds>[] = finding.edits
        ? [{ messageId: 'addUnregisterToken', data: { name }, fix: applyEdits(finding.edits) }]
        : [];
      context.report({
        node: finding.node,
        messageId: 'registerWithoutToken',
        data: {
          name,
          holder,
          released: finding.takeOut ? `taken out of the object at line ${line}` : `released explicitly at line ${line}`,
        },
        suggest,
      });
    }

    function reportRelease(finding: FinalizerFinding): void {
      const holder = nameOf(sourceCode, finding.registry);
      const keyword = finding.tokenText ?? (finding.token ? nameOf(sourceCode, finding.token) : 'token');
      const suggest: TSESLint.SuggestionReportDescriptor<MessageIds>[] = finding.edits
        ? [{ messageId: 'unregisterFirst', data: { holder, keyword }, fix: applyEdits(finding.edits) }]
        : [];
      context.report({
        node: finding.node,
        messageId: finding.takeOut ? 'takeOutWithoutUnregister' : 'releaseWithoutUnregister',
        data: {
          name: nameOf(sourceCode, finding.subject),
          line: finding.register ? lineOf(finding.register) : 0,
          holder,
          keyword,
        },
        suggest,
      });
    }
  },
});
