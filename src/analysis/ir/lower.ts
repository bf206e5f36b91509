/**
 * Lowers one function (or the module body) from the ESTree AST to the
 * block graph of ir.ts, with an exceptional edge for every call, `await`,
 * `yield` and `throw`. `finally` blocks and `using` scopes are inlined on
 * each way out (normal, return, break, continue, throw), as javac does, so
 * every path through them is explicit.
 *
 * The handle model is consulted here, once per node: the dataflow that runs
 * over the result never asks the checker anything.
 */
import type { TSESTree } from '@typescript-eslint/utils';
import type { FileContext } from '../program/file-context.js';
import type { LoweredFunction } from './ir.js';
import { CallLowering } from './lower/calls.js';
import { ConditionLowering } from './lower/conditions.js';
import { ExpressionLowering } from './lower/expressions.js';
import type { FunctionNode } from './lower/graph-builder.js';
import { GraphBuilder } from './lower/graph-builder.js';
import { StatementLowering } from './lower/statements.js';

/**
 * @param summarize lowering for a summary: `this` is tracked like a parameter.
 * @param withSummaries consult callees' summaries (a first pass without them
 *   tells whether the function touches handles at all, cheaply).
 * @param probe only to tell whether the function can report (`mayReport`):
 *   values that may be borrowed handles (call results) are not typed but
 *   kept as if they were. That can only add operations, never drop one, so
 *   a probe that says no is right; one that says yes stops there, and the
 *   function is lowered again.
 */
export function lowerFunction(
  file: FileContext,
  node: FunctionNode | TSESTree.Program,
  { summarize = false, withSummaries = true, probe = false }: { summarize?: boolean; withSummaries?: boolean; probe?: boolean } = {},
): LoweredFunction {
  const builder = new GraphBuilder(file, node, summarize, withSummaries, probe);
  const expressions = new ExpressionLowering(builder);
  const conditions = new ConditionLowering(builder, expressions);
  expressions.calls = new CallLowering(builder, expressions);
  expressions.conditions = conditions;
  return new StatementLowering(builder, expressions, conditions).run();
}
