import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES, ESLintUtils } from '@typescript-eslint/utils';
import type { Finding } from '../analysis/index.js';
import { acquiredName, checkWeaklyInferredSchema, getFileAnalysis, inferredData, lineOf, nameOf, ownerClassNote, reportsInferred, visibleThrowNote, withFileScan } from '../util/analysis.js';
import { createRule } from '../util/create-rule.js';

export type MessageIds =
  | 'leak'
  | 'leakOnPath'
  | 'leakOverwritten'
  | 'leakDiscarded'
  | 'leakInLoop'
  | 'leakOnException'
  | 'leakThroughFinally'
  | 'leakInferred'
  | 'declareWithUsing'
  | 'releaseInFinally';

export type Options = [
  {
    /**
     * Handles that leak when a call between acquire and release throws: `'visible'` where the
     * throw is visible (a `throw`, a callee whose body throws, a preset's contract), `true` for
     * every call that may throw, `false` for none.
     */
    checkExceptionPaths?: boolean | 'visible';
    /** Also report handles inferred from usage on weak evidence. */
    checkWeaklyInferred?: boolean;
  },
];

export default createRule<Options, MessageIds>({
  name: 'no-leaked-handle',
  meta: {
    type: 'problem',
    hasSuggestions: true,
    docs: {
      description: 'Require every acquired native handle to be released, returned or handed to an owner on every path',
      recommended: true,
      requiresTypeChecking: true,
    },
    messages: {
      leak: '`{{name}}` is acquired here but never released, returned or stored: it leaks when the function {{exit}}.{{why}}',
      leakOnPath: '`{{name}}` is acquired here but not released{{holder}} on the path where the function {{exit}}.{{why}}',
      leakOverwritten:
        '`{{name}}` is overwritten at line {{line}} while it still owns the handle acquired here: that handle leaks.',
      leakDiscarded: 'The handle returned by `{{name}}` is discarded without being released.{{why}}',
      leakInLoop:
        '`{{name}}` is acquired on each iteration of this loop and still owned when the next iteration acquires again: every iteration leaks a handle.{{why}}',
      leakOnException:
        '`{{name}}`{{holder}} leaks if `{{thrower}}` at line {{line}} throws{{because}}: release it in a `finally` block or declare it with `using`.',
      leakThroughFinally:
        '`{{name}}`{{holder}} leaks if the `try` block at line {{line}} throws: its `finally` at line {{finallyLine}} does not release it.',
      leakInferred:
        'Inferred from usage: values of `{{api}}` are {{verb}} in {{releasing}} of the {{keeping}} functions that make one ({{places}}); `{{name}}` is never {{verb}} when the function {{exit}}.',
      declareWithUsing: 'Declare `{{name}}` with `{{keyword}}` so that it is disposed when the block exits.',
      releaseInFinally: 'Wrap the code after `{{name}}` is acquired in `try`, and move its release into `finally`.',
    },
    schema: [
      {
        type: 'object',
        additionalProperties: false,
        properties: {
          checkExceptionPaths: {
            description:
              'Report handles that leak when a call between their acquisition and their release throws: `"visible"` (default) where the throw is visible in the program, `true` for every call that may throw (`strict`), `false` for none.',
            oneOf: [{ type: 'boolean' }, { type: 'string', enum: ['visible'] }],
          },
          checkWeaklyInferred: checkWeaklyInferredSchema,
        },
      },
    ],
    defaultOptions: [{ checkExceptionPaths: 'visible', checkWeaklyInferred: false }],
  },
  defaultOptions: [{ checkExceptionPaths: 'visible', checkWeaklyInferred: false }],
  create(context, [options]) {
    const sourceCode = context.sourceCode;
    return withFileScan(context, {
      'Program:exit'() {
        const analysis = getFileAnalysis(context);
        for (const finding of analysis.findings) {
          if (finding.kind === 'leak-on-exception') {
            if (options.checkExceptionPaths === false) continue;
            // A handle that also leaks on a normal path is reported once, for that.
            if (analysis.findings.some((other) => other.kind === 'leak' && other.node === finding.node)) continue;
            // The first place where the throw is visible names the leak; without one, only `strict` reports it.
            const exits = [...(finding.exceptionExits ?? [finding.exitNode ?? finding.node])].sort((a, b) => a.range[0] - b.range[0]);
            let visible: { exit: TSESTree.Node; because: string } | undefined;
            // A callee that frees the handle it was handed before it throws (`catch (e) { destroy(mesh); throw e; }`) leaks nothing by that throw.
            const holders = new Set([acquiredName(sourceCode, finding.node), ...(finding.heldBy ? [finding.heldBy] : [])]);
            for (const exit of exits) {
              const because = visibleThrowNote(context, analysis, exit, holders);
              if (because !== undefined) {
                visible = { exit, because };
                break;
              }
            }
            if (!visible && options.checkExceptionPaths !== true) continue;
            if (reportsInferred(finding.inferred, options)) report(finding, visible?.exit, visible?.because ?? '');
          } else if (finding.kind === 'leak' && reportsInferred(finding.inferred, options)) report(finding);
        }
        function report(finding: Finding, exit?: TSESTree.Node, because = ''): void {
          const name =
            finding.leakKind === 'discarded' ? nameOf(sourceCode, finding.node) : acquiredName(sourceCode, finding.node);
          // Where it leaks, another variable may hold it (`best = image`): name that one too.
          const holder = finding.heldBy && finding.heldBy !== name ? ` (held by \`${finding.heldBy}\` there)` : '';
          const exitNode = exit ?? finding.exitNode ?? finding.node;
          const data = {
            name,
            holder,
            exit: exitDescription(finding),
            line: lineOf(exitNode),
            thrower: nameOf(sourceCode, throwerOf(exitNode)),
            because,
            why: ownerClassNote(context, analysis, finding.acquiredAt ?? finding.node),
          };
          // What the `try` block threw leaves at the end of its `finally`: name the block, not one call of it.
          const finallyOf = finallyTry(exitNode);
          if (finallyOf) {
            context.report({ node: finding.node, messageId: 'leakThroughFinally', data: { name, holder, line: lineOf(finallyOf), finallyLine: lineOf(exitNode) } });
            return;
          }
          const messageId: MessageIds =
            finding.inferred && (finding.leakKind === 'return' || finding.leakKind === 'end')
              ? 'leakInferred'
              : finding.leakKind === 'exception'
              ? 'leakOnException'
              : finding.leakKind === 'overwrite'
                ? 'leakOverwritten'
                : finding.leakKind === 'discarded'
                  ? 'leakDiscarded'
                  : finding.leakKind === 'loop'
                    ? 'leakInLoop'
                    : finding.certainty === 'always' && finding.neverHandled
                      ? 'leak'
                      : 'leakOnPath';
          const suggestion =
            usingSuggestion(finding, context, analysis.model) ??
            (finding.leakKind === 'exception' ? tryFinallySuggestion(finding, context, name) : null);
          context.report({
            node: finding.node,
            messageId,
            data: finding.inferred ? { ...data, ...inferredData(finding) } : data,
            suggest: suggestion ? [suggestion] : [],
          });
        }
      },
    });
  },
});

/** The `try` statement whose `finally` block this is. */
function finallyTry(node: TSESTree.Node): TSESTree.TryStatement | undefined {
  const parent = node.parent;
  return node.type === AST_NODE_TYPES.BlockStatement && parent?.type === AST_NODE_TYPES.TryStatement && parent.finalizer === node ? parent : undefined;
}

function exitDescription(finding: Finding): string {
  const exitNode = finding.exitNode;
  if (!exitNode) return 'returns';
  if (finding.leakKind === 'return') return `returns at line ${lineOf(exitNode)}`;
  return `ends at line ${exitNode.loc.end.line}`;
}

/** The expression that may throw, for the message: a call, an `await`, a `throw`. */
function throwerOf(node: TSESTree.Node): TSESTree.Node {
  if (node.type === AST_NODE_TYPES.CallExpression || node.type === AST_NODE_TYPES.NewExpression) return node.callee;
  return node;
}

/**
 * `const x = acquire()` → `using x = acquire()`, offered only when the handle
 * is Disposable, no path releases, returns or stores it (so `using` is the
 * only disposal), and the declaration may legally become `using`.
 */
function usingSuggestion(
  finding: Finding,
  context: Readonly<TSESLint.RuleContext<MessageIds, Options>>,
  model: ReturnType<typeof getFileAnalysis>['model'],
): TSESLint.SuggestionReportDescriptor<MessageIds> | null {
  if (!finding.neverHandled || finding.leakKind === 'discarded' || finding.leakKind === 'overwrite') return null;
  let node: TSESTree.Node = finding.node;
  let awaited = false;
  while (node.parent?.type === AST_NODE_TYPES.AwaitExpression) {
    awaited = true;
    node = node.parent;
  }
  const declarator = node.parent;
  if (declarator?.type !== AST_NODE_TYPES.VariableDeclarator || declarator.init !== node) return null;
  if (declarator.id.type !== AST_NODE_TYPES.Identifier) return null;
  const declaration = declarator.parent;
  if (declaration.kind !== 'const' || declaration.declarations.length !== 1) return null;
  const container = declaration.parent;
  if (container.type !== AST_NODE_TYPES.BlockStatement && container.type !== AST_NODE_TYPES.StaticBlock) return null;
  // Handed to a call or put in an object (`new Owner({ file })`, `ffi(h.value.ptr)`): ownership
  // may have moved in a way the analysis did not see, and `using` would dispose it under the new owner.
  const variable = context.sourceCode.getDeclaredVariables(declarator)[0];
  if (variable?.references.some((reference) => flowsOnward(reference.identifier))) return null;
  const services = ESLintUtils.getParserServices(context);
  const disposable = model.isDisposableType(services.getTypeAtLocation(declarator.id));
  if (!disposable) return null;
  const keyword = disposable === 'async' ? 'await using' : 'using';
  if (disposable === 'async' && !isInAsyncFunction(declaration)) return null;
  void awaited;
  const constToken = context.sourceCode.getFirstToken(declaration);
  if (!constToken) return null;
  return {
    messageId: 'declareWithUsing',
    data: { name: declarator.id.name, keyword },
    fix: (fixer) => fixer.replaceText(constToken, keyword),
  };
}

/**
 * `const p = acquire(); a(); b(); release(p);` →
 * `const p = acquire(); try { a(); b(); } finally { release(p); }`, when the
 * only release is one statement of the same block after the declaration.
 */
function tryFinallySuggestion(
  finding: Finding,
  context: Readonly<TSESLint.RuleContext<MessageIds, Options>>,
  name: string,
): TSESLint.SuggestionReportDescriptor<MessageIds> | null {
  const releases = finding.releaseSites ?? [];
  if (releases.length !== 1) return null;
  let node: TSESTree.Node = finding.node;
  while (node.parent?.type === AST_NODE_TYPES.AwaitExpression) node = node.parent;
  const declarator = node.parent;
  if (declarator?.type !== AST_NODE_TYPES.VariableDeclarator || declarator.init !== node) return null;
  const declaration = declarator.parent;
  const block = declaration.parent;
  if (block.type !== AST_NODE_TYPES.BlockStatement) return null;
  const start = block.body.indexOf(declaration);
  let releaseCall: TSESTree.Node = releases[0];
  if (releaseCall.parent?.type === AST_NODE_TYPES.AwaitExpression) releaseCall = releaseCall.parent;
  const releaseStatement = releaseCall.parent;
  if (releaseStatement?.type !== AST_NODE_TYPES.ExpressionStatement || releaseStatement.parent !== block) return null;
  const end = block.body.indexOf(releaseStatement);
  if (start < 0) return null;
  // `if (!tree) return;` stays before the `try`: the finally then knows the handle is there.
  let begin = start + 1;
  while (begin < end && isNullGuard(block.body[begin], declarator.id)) begin++;
  if (end <= begin) return null;
  // Declarations before the release may be used after it: then the rest of the block goes into `try` too.
  const declares = block.body.slice(begin, end).some((statement) => statement.type === AST_NODE_TYPES.VariableDeclaration);
  const lastIndex = declares ? block.body.length - 1 : end - 1;
  const sourceCode = context.sourceCode;
  const indent = ' '.repeat(declaration.loc.start.column);
  const first = block.body[begin];
  const last = block.body[Math.max(lastIndex, end - 1)];
  const before = sourceCode.getTokenBefore(releaseStatement)!;
  let body = sourceCode.text.slice(first.range[0], last.range[1]);
  if (releaseStatement.range[1] <= last.range[1]) {
    // Cut the release (and the space before it) out of the wrapped code.
    body = body.slice(0, before.range[1] - first.range[0]) + body.slice(releaseStatement.range[1] - first.range[0]);
  }
  const multiLineTemplate = /`[^`]*\n[^`]*`/.test(body);
  const inner = multiLineTemplate ? body : body.replace(/\n(?=[ \t]*\S)/g, '\n  ');
  const replacement = `try {\n${indent}  ${inner}\n${indent}} finally {\n${indent}  ${sourceCode.getText(releaseStatement)}\n${indent}}`;
  return {
    messageId: 'releaseInFinally',
    data: { name },
    fix: (fixer) =>
      releaseStatement.range[1] <= last.range[1]
        ? fixer.replaceTextRange([first.range[0], last.range[1]], replacement)
        : [fixer.replaceTextRange([first.range[0], last.range[1]], replacement), fixer.removeRange([before.range[1], releaseStatement.range[1]])],
  };
}

/** `if (!x) return …;` / `if (x == null) throw …;`: an early exit when the acquisition gave nothing. */
function isNullGuard(statement: TSESTree.Statement, id: TSESTree.Node): boolean {
  if (statement.type !== AST_NODE_TYPES.IfStatement || statement.alternate || id.type !== AST_NODE_TYPES.Identifier) return false;
  const name = id.name;
  const test = statement.test;
  const names =
    (test.type === AST_NODE_TYPES.UnaryExpression && test.operator === '!' && test.argument.type === AST_NODE_TYPES.Identifier && test.argument.name === name) ||
    (test.type === AST_NODE_TYPES.BinaryExpression &&
      ['==', '==='].includes(test.operator) &&
      ((test.left.type === AST_NODE_TYPES.Identifier && test.left.name === name) || (test.right.type === AST_NODE_TYPES.Identifier && test.right.name === name)));
  if (!names) return false;
  const exit = statement.consequent.type === AST_NODE_TYPES.BlockStatement && statement.consequent.body.length === 1 ? statement.consequent.body[0] : statement.consequent;
  return exit.type === AST_NODE_TYPES.ReturnStatement || exit.type === AST_NODE_TYPES.ThrowStatement;
}

/** The value, or a member of it, is passed to a call, stored, or returned. */
function flowsOnward(identifier: TSESTree.Node): boolean {
  let node: TSESTree.Node = identifier;
  while (
    node.parent &&
    ((node.parent.type === AST_NODE_TYPES.MemberExpression && node.parent.object === node) ||
      node.parent.type === AST_NODE_TYPES.TSNonNullExpression ||
      node.parent.type === AST_NODE_TYPES.TSAsExpression ||
      node.parent.type === AST_NODE_TYPES.ChainExpression)
  ) {
    node = node.parent;
  }
  const parent = node.parent;
  if (!parent) return false;
  if ((parent.type === AST_NODE_TYPES.CallExpression || parent.type === AST_NODE_TYPES.NewExpression) && parent.arguments.includes(node as TSESTree.Expression)) return true;
  return (
    (parent.type === AST_NODE_TYPES.Property && parent.value === node) ||
    parent.type === AST_NODE_TYPES.ArrayExpression ||
    parent.type === AST_NODE_TYPES.ReturnStatement ||
    (parent.type === AST_NODE_TYPES.AssignmentExpression && parent.right === node)
  );
}

function isInAsyncFunction(node: TSESTree.Node): boolean {
  for (let current = node.parent; current; current = current.parent) {
    if (
      current.type === AST_NODE_TYPES.FunctionDeclaration ||
      current.type === AST_NODE_TYPES.FunctionExpression ||
      current.type === AST_NODE_TYPES.ArrowFunctionExpression
    ) {
      return current.async;
    }
  }
  return false;
}
