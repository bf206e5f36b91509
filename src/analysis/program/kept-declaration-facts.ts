/**
 * Facts about declarations that the model computes from declared types and
 * keeps across an editor's programs, as the prefilter keeps its verdicts:
 * for a file that did not change, while it and what it imports keep their
 * declaration shape (kept-results.ts); for the edited file, while its own
 * shape is the same (verdicts-by-shape.ts). Typing a declared return type
 * can cost seconds (zod's inferred types); the answer is one number.
 */
import type ts from 'typescript';
import type { HandleModel } from '../model/handle-model.js';
import { KeptResults } from './kept-results.js';
import { valueByShape } from './verdicts-by-shape.js';

const keptReturnMasks = new KeptResults<number>('declarations');

/** Let the model's spec matcher keep the handle masks of declared return types across programs. */
export function installKeptDeclarationFacts(program: ts.Program, model: HandleModel): void {
  const specs = model.specs;
  if (!specs) return;
  specs.declaredReturnMask = (declaration, compute) => {
    const kept = keptReturnMasks.of(program, model.options, declaration.getSourceFile());
    let mask = kept.get(declaration);
    if (mask === undefined) {
      mask = valueByShape(program, model.options, declaration, 'return-mask', compute);
      kept.set(declaration, mask);
    }
    return mask;
  };
}
