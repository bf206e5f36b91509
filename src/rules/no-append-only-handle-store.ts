import type { ScopeManager } from '@typescript-eslint/scope-manager';
import type { HandleStore, StoreSite } from '../analysis/checks/stores/handle-stores.js';
import { analyzeHandleStores } from '../analysis/checks/stores/handle-stores.js';
import { createRule } from '../util/create-rule.js';

export type MessageIds = 'appendOnly' | 'unreachedRemoval';

export type Options = [
  {
    /** Stores that live as long as the program by design (interned tables, registries of a fixed set). */
    allow?: string[];
    /** Also report stores whose only removals are in code that no exported function reaches. */
    checkUnreachedRemovals?: boolean;
  },
];

export default createRule<Options, MessageIds>({
  name: 'no-append-only-handle-store',
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow handle tables that hand out fresh ids and never remove an entry',
      recommended: true,
      requiresTypeChecking: true,
    },
    messages: {
      appendOnly:
        '`{{name}}` gets a new entry under a fresh id at {{line}} and nothing ever removes one: the store grows with every call and keeps each value alive after its id is dropped.',
      unreachedRemoval:
        '`{{name}}` gets a new entry under a fresh id at {{line}}, but no exported function reaches the code that removes entries ({{released}}): the store still grows with every call.',
    },
    schema: [
      {
        type: 'object',
        additionalProperties: false,
        properties: {
          allow: {
            type: 'array',
            items: { type: 'string' },
            uniqueItems: true,
            description:
              'Names of stores that are permanent by design (a variable or field name, or `Class.field`); they are never reported.',
          },
          checkUnreachedRemovals: {
            type: 'boolean',
            description:
              'Also report a store whose removals exist but sit in code that no exported function or escaping closure reaches (on in `strict`).',
          },
        },
      },
    ],
    defaultOptions: [{ allow: [], checkUnreachedRemovals: false }],
  },
  defaultOptions: [{ allow: [], checkUnreachedRemovals: false }],
  create(context, [options]) {
    const allowed = new Set(options.allow ?? []);
    return {
      Program(program) {
        const analysis = analyzeHandleStores({
          ast: program,
          scopeManager: context.sourceCode.scopeManager as ScopeManager,
        });
        for (const { kind, store } of analysis.findings) {
          if (isAllowed(store, allowed)) continue;
          if (kind === 'unreached-removal' && !options.checkUnreachedRemovals) continue;
          context.report({
            node: store.declaration,
            messageId: kind === 'append-only' ? 'appendOnly' : 'unreachedRemoval',
            data: {
              name: store.name,
              line: lineList(store.insertions),
              released: lineList(store.removals),
            },
          });
        }
      },
    };
  },
});

function isAllowed(store: HandleStore, allowed: ReadonlySet<string>): boolean {
  return allowed.has(store.name) || (store.className !== undefined && allowed.has(`${store.className}.${store.name}`));
}

/** "line 7", "lines 7 and 12", "lines 7, 12 and 30". */
function lineList(sites: readonly StoreSite[]): string {
  const lines = [...new Set(sites.map((site) => site.node.loc.start.line))].sort((a, b) => a - b);
  if (lines.length === 1) return `line ${lines[0]}`;
  return `lines ${lines.slice(0, -1).join(', ')} and ${lines[lines.length - 1]}`;
}
