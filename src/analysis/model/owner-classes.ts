/**
 * Classes of the program that own a handle, with no tag: a release-named
 * method (`dispose()`, `free()`, `delete()`, `close()`…) whose summary
 * releases a field of `this` on every path. Their instances are handles, as
 * the Checker Framework's Resource Leak Checker infers a class's obligation
 * from its fields: `new C()` acquires, that method releases, the other
 * methods use. Read once per class declaration, from the summaries the flow
 * analysis computes (asked through `summaryOf`, which the flow installs).
 */
import ts from 'typescript';
import type { MethodSummary } from './call-effects.js';
import { answer } from './open-questions.js';
import { hasNoRequiredParameters } from './ts-nodes.js';

/** What made a class a handle class. */
export interface OwnerClass {
  /** The class's name, for messages. */
  readonly name: string;
  /** The release-named method that releases its fields. */
  readonly method: string;
  /** The fields of `this` it releases on every path. */
  readonly fields: readonly string[];
  /** A second call does nothing: the method tests a flag or clears every field it releases. */
  readonly idempotent: boolean;
}

export type MethodSummaryLookup = (declaration: ts.SignatureDeclaration) => MethodSummary | undefined;

export class OwnerClasses {
  /** Installed by the flow analysis (flow/summaries.ts): summaries are computed there. */
  summaryOf: MethodSummaryLookup | undefined;
  /** Installed with `summaryOf`: can any call of the program release a handle (a tag, a preset in use)? */
  releasesPossible: () => boolean = () => false;
  private readonly known = new Map<ts.ClassLikeDeclaration, OwnerClass | null>();
  private readonly repeatHarmless = new Map<ts.ClassLikeDeclaration, boolean>();

  constructor(
    private readonly program: ts.Program,
    private readonly releaseMethodNames: ReadonlySet<string>,
  ) {}

  /** Forget what was read from summaries (they were computed tentatively and taken back). */
  forget(): void {
    this.known.clear();
    this.repeatHarmless.clear();
  }

  /** The class as an owner of handles, or undefined when it owns none (or its file is a library's). */
  ownerClassOf(declaration: ts.ClassLikeDeclaration): OwnerClass | undefined {
    const known = this.known.get(declaration);
    if (known !== undefined) return known ?? undefined;
    const summaryOf = this.summaryOf;
    if (!summaryOf || !this.possible()) return undefined;
    // A method's summary may ask about the class itself (`this` is of its type): not an owner meanwhile.
    return answer(this.known, declaration, null, () => this.read(declaration, summaryOf)) ?? undefined;
  }

  /**
   * Does a second release of an instance do nothing? As an owner class's idempotent release, or
   * when every release method of the class (`close()`, `[Symbol.dispose]()`…) returns early on a
   * flag of `this` it sets (`if (this._closed) return; …; this._closed = true`), itself or by
   * calling one that does: mediabunny's `VideoSample#close`.
   */
  releaseIsRepeatHarmless(declaration: ts.ClassLikeDeclaration): boolean {
    const known = this.repeatHarmless.get(declaration);
    if (known !== undefined) return known;
    return answer(this.repeatHarmless, declaration, false, () => this.ownerClassOf(declaration)?.idempotent === true || this.releasesGuardedByFlag(declaration));
  }

  private releasesGuardedByFlag(declaration: ts.ClassLikeDeclaration): boolean {
    const summaryOf = this.summaryOf;
    const sourceFile = declaration.getSourceFile();
    if (!summaryOf || sourceFile.isDeclarationFile || this.program.isSourceFileFromExternalLibrary(sourceFile)) return false;
    const releases = declaration.members.filter((member): member is ts.MethodDeclaration => this.isReleaseMethod(member) || isDisposeMethod(member));
    const guarded = new Set<string>();
    for (const member of releases) {
      let summary: MethodSummary | undefined;
      try {
        summary = summaryOf(member);
      } catch (error) {
        if (!(error instanceof RangeError) && !(error instanceof TypeError)) throw error;
      }
      if (summary?.guardedByFlag && ts.isIdentifier(member.name)) guarded.add(member.name.text);
    }
    return guarded.size > 0 && releases.every((member) => (ts.isIdentifier(member.name) && guarded.has(member.name.text)) || delegatesTo(member, guarded));
  }

  /** Can a class of this program own a handle it releases? (Asked once: a text search of the program.) */
  possible(): boolean {
    this.ownersPossible ??= this.summaryOf !== undefined && this.releasesPossible();
    return this.ownersPossible;
  }

  private ownersPossible: boolean | undefined;

  private read(declaration: ts.ClassLikeDeclaration, summaryOf: MethodSummaryLookup): OwnerClass | null {
    const sourceFile = declaration.getSourceFile();
    if (sourceFile.isDeclarationFile || this.program.isSourceFileFromExternalLibrary(sourceFile)) return null;
    for (const member of declaration.members) {
      if (!this.isReleaseMethod(member)) continue;
      let summary: MethodSummary | undefined;
      try {
        summary = summaryOf(member);
      } catch (error) {
        if (!(error instanceof RangeError) && !(error instanceof TypeError)) throw error;
      }
      if (!summary || summary.releasedFields.length === 0) continue;
      const fields = summary.releasedFields;
      return {
        name: declaration.name?.text ?? 'the class',
        method: (member.name as ts.Identifier).text,
        fields,
        idempotent: summary.guardedByFlag || fields.every((field) => summary.clearedFields.includes(field)),
      };
    }
    return null;
  }

  /** `dispose()`, `free()`…: an instance method with a body, callable with no arguments, that mentions `this`. */
  private isReleaseMethod(member: ts.ClassElement): member is ts.MethodDeclaration {
    return (
      ts.isMethodDeclaration(member) &&
      member.body !== undefined &&
      ts.isIdentifier(member.name) &&
      this.releaseMethodNames.has(member.name.text) &&
      !(ts.getCombinedModifierFlags(member) & ts.ModifierFlags.Static) &&
      hasNoRequiredParameters(member) &&
      member.body.getText().includes('this')
    );
  }
}

/** `[Symbol.dispose]()` / `[Symbol.asyncDispose]()` with a body. */
function isDisposeMethod(member: ts.ClassElement): member is ts.MethodDeclaration {
  if (!ts.isMethodDeclaration(member) || member.body === undefined || !ts.isComputedPropertyName(member.name)) return false;
  const key = member.name.expression;
  return ts.isPropertyAccessExpression(key) && ts.isIdentifier(key.expression) && key.expression.text === 'Symbol' && (key.name.text === 'dispose' || key.name.text === 'asyncDispose');
}

/** A body that only calls one of the named methods of `this`: `[Symbol.dispose]() { this.close(); }`. */
function delegatesTo(member: ts.MethodDeclaration, names: ReadonlySet<string>): boolean {
  const statements = member.body?.statements ?? [];
  if (statements.length !== 1) return false;
  const statement = statements[0]!;
  let expression = ts.isExpressionStatement(statement) ? statement.expression : ts.isReturnStatement(statement) ? statement.expression : undefined;
  if (expression && ts.isAwaitExpression(expression)) expression = expression.expression;
  if (!expression || !ts.isCallExpression(expression) || expression.arguments.length > 0) return false;
  const callee = expression.expression;
  return ts.isPropertyAccessExpression(callee) && callee.expression.kind === ts.SyntaxKind.ThisKeyword && names.has(callee.name.text);
}
