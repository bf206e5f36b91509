import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES, ESLintUtils } from '@typescript-eslint/utils';
import ts from 'typescript';
import type { Finding } from '../analysis/index.js';
import { isFinalizerCallback } from '../analysis/index.js';
import { checkWeaklyInferredSchema, getFileAnalysis, inferredNote, lineOf, nameOf, reportsInferred, withFileScan } from '../util/analysis.js';
import { createRule } from '../util/create-rule.js';

export type MessageIds = 'fieldStillHoldsReleased' | 'callbackFieldStillHoldsReleased' | 'objectReachedAgain' | 'clearFieldWidening';
export type Options = [
  {
    /** Also report handles inferred from usage on weak evidence. */
    checkWeaklyInferred?: boolean;
  },
];

export default createRule<Options, MessageIds>({
  name: 'no-dangling-handle-field',
  meta: {
    type: 'problem',
    fixable: 'code',
    hasSuggestions: true,
    docs: {
      description: 'Require a field to be cleared when the handle it holds is released',
      recommended: true,
      requiresTypeChecking: true,
    },
    messages: {
      fieldStillHoldsReleased:
        '`{{object}}` still reaches `{{field}}` after it was released here: a second `{{again}}` (or a finalizer, or any later reader) releases or reads freed memory.{{why}}',
      callbackFieldStillHoldsReleased:
        '`{{object}}` still reaches `{{field}}` after it was released here: the cleanup callback runs again for the next registration (and any later reader) and releases or reads freed memory.{{why}}',
      objectReachedAgain:
        '`{{object}}` still reaches `{{field}}` after it was released here, and is used again at line {{line}}: clear the field before releasing it.{{why}}',
      clearFieldWidening:
        'Take `{{field}}` into a local, set the field to `undefined` (widening its type), then release the local.',
    },
    schema: [{ type: 'object', additionalProperties: false, properties: { checkWeaklyInferred: checkWeaklyInferredSchema } }],
    defaultOptions: [{ checkWeaklyInferred: false }],
  },
  defaultOptions: [{ checkWeaklyInferred: false }],
  create(context, [options]) {
    const sourceCode = context.sourceCode;
    return withFileScan(context, {
      'Program:exit'() {
        const analysis = getFileAnalysis(context);
        for (const finding of analysis.findings) {
          if (finding.kind !== 'dangling-field' || !reportsInferred(finding.inferred, options)) continue;
          let operand: TSESTree.Node = finding.subject;
          while (operand.type === AST_NODE_TYPES.TSNonNullExpression || operand.type === AST_NODE_TYPES.TSAsExpression) operand = operand.expression;
          // `release(source)` where `source` is `state.handle`: name the field by its path.
          const path = finding.danglingName ?? 'the object';
          const object = operand.type === AST_NODE_TYPES.MemberExpression ? nameOf(sourceCode, operand.object) : path.slice(0, Math.max(path.lastIndexOf('.'), 0)) || path;
          const field = operand.type === AST_NODE_TYPES.MemberExpression ? nameOf(sourceCode, operand) : path;
          const repair = planRepair(finding, context);
          const again = againCall(operand);
          context.report({
            node: finding.node,
            messageId: finding.reachedAt ? 'objectReachedAgain' : again === null ? 'callbackFieldStillHoldsReleased' : 'fieldStillHoldsReleased',
            data: { object, field, again: again ?? '', line: finding.reachedAt ? lineOf(finding.reachedAt) : 0, why: finding.inferred ? inferredNote(finding.inferred) : '' },
            fix: repair?.kind === 'fix' ? repair.fix : null,
            suggest: repair?.kind === 'suggest' ? [{ messageId: 'clearFieldWidening', data: { field }, fix: repair.fix }] : [],
          });
        }
      },
    });
  },
});

/**
 * The call that would release again: `dispose()` for a method, `shutdown(c)` for a function or a
 * function bound to a name, the enclosing one's for a callback it hands on (`forEach`); null for a
 * FinalizationRegistry cleanup callback, which runs again for the next registration.
 */
function againCall(operand: TSESTree.Node): string | null {
  for (let node = operand.parent; node; node = node.parent) {
    if (node.type === AST_NODE_TYPES.ArrowFunctionExpression || node.type === AST_NODE_TYPES.FunctionExpression) {
      if (isFinalizerCallback(node)) return null;
      const holder = node.parent;
      if (holder?.type === AST_NODE_TYPES.VariableDeclarator && holder.init === node && holder.id.type === AST_NODE_TYPES.Identifier) return callText(holder.id.name, node.params);
      continue;
    }
    if (node.type === AST_NODE_TYPES.MethodDefinition || node.type === AST_NODE_TYPES.PropertyDefinition) {
      const key = node.key;
      const name = key.type === AST_NODE_TYPES.Identifier ? key.name : key.type === AST_NODE_TYPES.PrivateIdentifier ? `#${key.name}` : 'method';
      return `${name}()`;
    }
    if (node.type === AST_NODE_TYPES.FunctionDeclaration && node.id) return callText(node.id.name, node.params);
  }
  return 'release';
}

function callText(name: string, params: readonly TSESTree.Parameter[]): string {
  return `${name}(${params.map((param) => (param.type === AST_NODE_TYPES.Identifier ? param.name : '…')).join(', ')})`;
}

type Repair = { kind: 'fix' | 'suggest'; fix: TSESLint.ReportFixFunction };

/**
 * `release(this.ptr);` → `const ptr = this.ptr; this.ptr = <cleared>; release(ptr);`
 * — an autofix when the field's declared type admits the cleared value,
 * otherwise a suggestion that also widens the field's declared type.
 */
function planRepair(finding: Finding, context: Readonly<TSESLint.RuleContext<MessageIds, Options>>): Repair | null {
  // `free(this.ptr!)`: the field is inside the operand; the `!` stays on the local.
  let operand: TSESTree.Node = finding.subject;
  while (operand.type === AST_NODE_TYPES.TSNonNullExpression || operand.type === AST_NODE_TYPES.TSAsExpression) operand = operand.expression;
  if (operand.type !== AST_NODE_TYPES.MemberExpression || operand.computed || operand.optional) return null;
  const call = enclosingCall(finding.subject);
  if (!call) return null;
  const expression = call.parent?.type === AST_NODE_TYPES.ChainExpression ? call.parent : call;
  const statement = expression.parent;
  if (statement?.type !== AST_NODE_TYPES.ExpressionStatement) return null;
  const container = statement.parent;
  if (container?.type !== AST_NODE_TYPES.BlockStatement && container?.type !== AST_NODE_TYPES.Program) return null;
  if (hasSideEffects(operand.object)) return null;

  const services = ESLintUtils.getParserServices(context);
  const checker = services.program.getTypeChecker();
  const tsMember = services.esTreeNodeToTSNodeMap.get(operand);
  const symbol = ts.isPropertyAccessExpression(tsMember) ? checker.getSymbolAtLocation(tsMember.name) : undefined;
  if (!symbol) return null;
  const declaredType = checker.getTypeOfSymbol(symbol);
  const cleared = clearedValue(declaredType);

  const sourceCode = context.sourceCode;
  const propertyName = operand.property.type === AST_NODE_TYPES.PrivateIdentifier ? operand.property.name : (operand.property as TSESTree.Identifier).name;
  const local = freshName(sourceCode, statement, propertyName);
  const fieldText = sourceCode.getText(operand);
  const indent = ' '.repeat(statement.loc.start.column);
  const callText =
    sourceCode.text.slice(call.range[0], operand.range[0]) + local + sourceCode.text.slice(operand.range[1], statement.range[1]);
  const rewrite = (value: string, assertion = ''): string =>
    `const ${local} = ${fieldText}${assertion};\n${indent}${fieldText} = ${value};\n${indent}${callText}`;

  if (cleared) {
    return { kind: 'fix', fix: (fixer) => fixer.replaceText(statement, rewrite(cleared)) };
  }
  // Widen the declaration `ptr: Ptr` to `ptr: Ptr | undefined` (only for a property declared in this file).
  const declaration = symbol.valueDeclaration;
  if (!declaration || !ts.isPropertyDeclaration(declaration) || !declaration.type) return null;
  const esDeclaration = services.tsNodeToESTreeNodeMap.get(declaration) as TSESTree.PropertyDefinition | undefined;
  const annotation = esDeclaration?.typeAnnotation?.typeAnnotation;
  if (!annotation) return null;
  const needsParens = annotation.type === AST_NODE_TYPES.TSFunctionType || annotation.type === AST_NODE_TYPES.TSConstructorType;
  return {
    kind: 'suggest',
    fix: (fixer) => [
      needsParens ? fixer.insertTextBefore(annotation, '(') : null,
      fixer.insertTextAfter(annotation, needsParens ? ') | undefined' : ' | undefined'),
      // The widened field may be undefined; the local holds what was there, which was not.
      fixer.replaceText(statement, rewrite('undefined', '!')),
    ].filter((fix): fix is TSESLint.RuleFix => fix !== null),
  };
}

/** The release call whose argument or receiver is `operand`. */
function enclosingCall(operand: TSESTree.Node): TSESTree.CallExpression | null {
  const parent = operand.parent;
  if (parent?.type === AST_NODE_TYPES.CallExpression && parent.arguments.includes(operand as TSESTree.Expression)) return parent;
  if (
    parent?.type === AST_NODE_TYPES.MemberExpression &&
    parent.object === operand &&
    parent.parent?.type === AST_NODE_TYPES.CallExpression &&
    parent.parent.callee === parent
  ) {
    return parent.parent;
  }
  return null;
}

/** `undefined`, `null` or `0` when the declared type admits it, in that order of preference. */
function clearedValue(type: ts.Type): string | null {
  const parts = type.isUnion() ? type.types : [type];
  if (parts.some((part) => part.flags & ts.TypeFlags.Undefined)) return 'undefined';
  if (parts.some((part) => part.flags & ts.TypeFlags.Null)) return 'null';
  if (parts.some((part) => part.flags & ts.TypeFlags.Number || (part.isNumberLiteral() && part.value === 0))) return '0';
  return null;
}

/** Words a `const` cannot be named (the seed's struct has a field called `in`). */
const RESERVED = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends false finally for function if ' +
    'import in instanceof new null return super switch this throw true try typeof var void while with yield let static ' +
    'implements interface package private protected public await arguments eval undefined NaN Infinity'
  ).split(' '),
);

function hasSideEffects(node: TSESTree.Node): boolean {
  if (node.type === AST_NODE_TYPES.ThisExpression || node.type === AST_NODE_TYPES.Identifier) return false;
  if (node.type === AST_NODE_TYPES.MemberExpression && !node.computed) return hasSideEffects(node.object);
  return true;
}

/** `ptr`, or `ptrToRelease`, `ptrToRelease2`, … when the name is taken in scope. */
function freshName(sourceCode: Readonly<TSESLint.SourceCode>, at: TSESTree.Node, base: string): string {
  const taken = (name: string): boolean => {
    for (let scope: TSESLint.Scope.Scope | null = sourceCode.getScope(at); scope; scope = scope.upper) {
      if (scope.set.has(name) || scope.through.some((reference) => reference.identifier.name === name)) return true;
    }
    return false;
  };
  if (!RESERVED.has(base) && !taken(base)) return base;
  for (let index = 1; ; index++) {
    const candidate = index === 1 ? `${base}ToRelease` : `${base}ToRelease${index}`;
    if (!taken(candidate)) return candidate;
  }
}
