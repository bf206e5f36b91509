/**
 * What the program's own usage says a call does, for calls the handle model
 * knows nothing about (an `any`-typed emscripten module, a raw `_malloc`):
 * an API whose values enough functions release is an acquisition, and its
 * release form (`x.delete()`, `Module._free(p)`) a release. The answers are
 * asked by model/classify-call.ts, after everything the model knows.
 */
import ts from 'typescript';
import type { CallNode } from './api-keys.js';
import { calleePathOf, keepsArguments, skipOuterExpressions } from './api-keys.js';
import { programEvidence } from './program-evidence.js';
import type { InferenceThresholds, InferredApi } from './ranking.js';
import { InferredApis } from './ranking.js';

/** Result and receiver types a program says nothing about: untyped, `any`, `unknown`, or a raw pointer. */
const UNTYPED = ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.NumberLike | ts.TypeFlags.BigIntLike;

/** What the classification had decided before it asks (the inference only fills what nothing else decided). */
export interface DecidedEffect {
  readonly acquires: boolean;
  readonly releases: boolean;
  /** The callee has a declaration (its parameters' types say what it does with its arguments). */
  readonly typedCallee: boolean;
}

/** What the inference adds to a call's effect. */
export interface InferredEffect {
  readonly result?: 'acquire';
  readonly receiver?: 'release';
  readonly firstArgument?: 'release';
  readonly rest?: 'use';
}

/** The inferred APIs of one program, as the classification of a call asks about them. */
export class UsageInference {
  private apis: InferredApis | undefined;
  private vocabulary: InferenceVocabulary | undefined;
  private decided: string | undefined;
  /** The calls the inference made acquisitions, and of which API (for the reports' wording). */
  private readonly acquiredBy = new WeakMap<ts.Node, InferredApi>();

  constructor(
    private readonly program: ts.Program,
    private readonly thresholds: InferenceThresholds,
  ) {}

  /** The names an inferred acquisition is called by (`Shape`, `_malloc`): a call by no other name needs no further look. */
  get acquisitionNames(): ReadonlySet<string> {
    return this.words().acquisitionNames;
  }

  /** The effect usage adds to a call, where the classification decided no acquisition or release. */
  effectOf(node: CallNode, decided: DecidedEffect, typeOf: (expression: ts.Expression) => ts.Type): InferredEffect | undefined {
    if (decided.acquires || decided.releases) return undefined;
    const callee = skipOuterExpressions(node.expression);
    if (this.acquisition(node, () => typeOf(node))) return { result: 'acquire' };
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(callee) && this.releasesReceiver(callee.name.text, node.arguments.length, () => typeOf(callee.expression))) {
      return { receiver: 'release' };
    }
    if (this.releasesFirstArgument(node)) return { firstArgument: 'release' };
    if (!decided.typedCallee && this.readsArguments(node)) return { rest: 'use' };
    return undefined;
  }

  /** A call of an inferred API whose result the model does not know: it acquires. */
  private acquisition(node: CallNode, resultType: () => ts.Type): InferredApi | undefined {
    const name = calleeName(node);
    if (name === undefined || !this.words().acquisitionNames.has(name)) return undefined;
    const path = calleePathOf(node, node.getSourceFile());
    const api = path ? this.inferred().api(path.key) : undefined;
    if (!api || !isUntyped(resultType())) return undefined;
    this.acquiredBy.set(node, api);
    return api;
  }

  /** `x.delete()` on an untyped receiver, where `.delete()` is how an inferred API's values are released. */
  private releasesReceiver(methodName: string, argumentCount: number, receiverType: () => ts.Type): boolean {
    return argumentCount === 0 && this.words().releaseMethods.has(methodName) && isUntyped(receiverType());
  }

  /** `Module._free(p)`, where it is how an inferred API's values are released: releases its first argument. */
  private releasesFirstArgument(node: CallNode): boolean {
    const name = calleeName(node);
    if (name === undefined || !this.words().releaseFunctionNames.has(name)) return false;
    const path = calleePathOf(node, node.getSourceFile());
    return path !== undefined && this.words().releaseFunctionKeys.has(path.key);
  }

  /**
   * An untyped method of the module an inferred API belongs to (`Module._decode(p)`) reads its
   * arguments, as the evidence counts it; a container's method (`push`, `set`) keeps them.
   */
  private readsArguments(node: CallNode): boolean {
    if (!ts.isCallExpression(node) || node.arguments.length === 0) return false;
    const path = calleePathOf(node, node.getSourceFile());
    return path !== undefined && path.root !== '' && this.words().roots.has(path.root) && !keepsArguments(path.name);
  }

  /** The API whose evidence made this call an acquisition, if it was the inference that did. */
  acquiredApi(node: ts.Node): InferredApi | undefined {
    return this.acquiredBy.get(node);
  }

  /** The inferred API of this key (`acquiredApi(…).key`), if the evidence still makes it one. */
  apiOfKey(key: string): InferredApi | undefined {
    return this.inferred().api(key) ?? undefined;
  }

  /**
   * What decides the inference's effect on any call (which APIs, weak or not, released how, in
   * which modules), as one string: results kept from an earlier program hold while it is the same.
   */
  get decisions(): string {
    this.decided ??= JSON.stringify(
      this.inferred()
        .all()
        .map((api) => JSON.stringify([api.key, api.weak, api.releaseForm, [...api.roots]]))
        .sort(),
    );
    return this.decided;
  }

  private inferred(): InferredApis {
    this.apis ??= new InferredApis(programEvidence(this.program), this.thresholds);
    return this.apis;
  }

  private words(): InferenceVocabulary {
    this.vocabulary ??= vocabularyOf(this.inferred());
    return this.vocabulary;
  }
}

interface InferenceVocabulary {
  readonly acquisitionNames: ReadonlySet<string>;
  readonly releaseMethods: ReadonlySet<string>;
  readonly releaseFunctionNames: ReadonlySet<string>;
  /** Keys of release functions (`call ._free`), read back from their release forms. */
  readonly releaseFunctionKeys: ReadonlySet<string>;
  readonly roots: ReadonlySet<string>;
}

function vocabularyOf(apis: InferredApis): InferenceVocabulary {
  const vocabulary = { acquisitionNames: new Set<string>(), releaseMethods: new Set<string>(), releaseFunctionNames: new Set<string>(), releaseFunctionKeys: new Set<string>(), roots: new Set<string>() };
  for (const api of apis.all()) {
    vocabulary.acquisitionNames.add(api.key.slice(api.key.search(/[ .][^ .]*$/) + 1));
    for (const root of api.roots) if (root !== '') vocabulary.roots.add(root);
    const form = api.releaseForm;
    if (form.startsWith('.')) {
      vocabulary.releaseMethods.add(form.slice(1, -2));
      continue;
    }
    // `Module._free()` → `call ._free`; a label cut short (`…`) names no key.
    const callee = form.endsWith('()') && !form.includes('…') ? form.slice(0, -2) : undefined;
    if (!callee) continue;
    const parts = callee.split('.');
    const name = parts[parts.length - 1];
    vocabulary.releaseFunctionNames.add(name);
    const members = parts[0] === 'this' ? parts.slice(2) : parts.slice(1);
    vocabulary.releaseFunctionKeys.add(parts.length === 1 ? `call ${name}` : `call .${members.join('.')}`);
  }
  return vocabulary;
}

/** The name a call's callee ends in (`Shape` in `new Module.Shape()`), with no path built. */
function calleeName(node: CallNode): string | undefined {
  const callee = skipOuterExpressions(node.expression);
  if (ts.isIdentifier(callee)) return callee.text;
  if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.name)) return callee.name.text;
  if (ts.isElementAccessExpression(callee) && ts.isStringLiteralLike(callee.argumentExpression)) return callee.argumentExpression.text;
  return undefined;
}

function isUntyped(type: ts.Type): boolean {
  const parts = type.isUnion() ? type.types.filter((part) => !(part.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null))) : [type];
  return parts.length > 0 && parts.every((part) => (part.flags & UNTYPED) !== 0);
}
