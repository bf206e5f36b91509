import type { Scope, Variable } from '@typescript-eslint/scope-manager';
import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import type { PlaceKeys } from './places.js';
import type { Registrations } from './registrations.js';
import type { Registration, ReleaseEvent, StatementList, TextEdit, Unregistration } from './finalizer-model.js';
import { contains, containsThis, enclosingClass, enclosingFunction, precedes, sortEdits, statementOf, thisContext, unwrap } from './syntax.js';

/** The suggested fixes for a finalizer race: pass a token to `register`, and `unregister` it before the release. */
export class TokenFixes {
  constructor(private readonly places: PlaceKeys, private readonly registrations: Registrations) {}

  /**
   * A dedicated token for a registration without one: `#unregisterToken` in
   * a class when the target is `this` and every release is in an instance
   * method of that class; a `const` before the registration when every
   * release follows it in the same block. Undefined when neither is safe.
   */
  tokenEdits(registration: Registration, events: readonly ReleaseEvent[]): TextEdit[] | undefined {
    const registryText = this.text(registration.registryNode);
    const dot = registration.optional ? '?.' : '.';
    const target = unwrap(registration.target);
    const targetContext = target.type === AST_NODE_TYPES.ThisExpression ? thisContext(target) : undefined;
    const edits: TextEdit[] = [];
    let tokenText: string;
    if (targetContext && !targetContext.isStatic) {
      const cls = targetContext.cls;
      if (cls.body.body.some((member) => 'key' in member && member.key.type === AST_NODE_TYPES.PrivateIdentifier && member.key.name === 'unregisterToken')) {
        return undefined;
      }
      for (const event of events) {
        const context = thisContext(event.node);
        if (!context || context.isStatic || context.cls !== cls) return undefined;
      }
      if (!this.isPortable(registration.registryNode, events)) return undefined;
      tokenText = 'this.#unregisterToken';
      const first = cls.body.body[0];
      if (!first) return undefined;
      const readonly = this.places.isJavaScript ? '' : 'readonly ';
      edits.push(this.insertStatementBefore(first, `${readonly}#unregisterToken = {};`));
    } else {
      const statement = statementOf(registration.call);
      if (!statement) return undefined;
      const block = statement.parent as StatementList;
      for (const event of events) {
        const eventStatement = statementOf(event.node);
        if (!eventStatement || !contains(block, eventStatement) || eventStatement.range[0] < statement.range[1]) return undefined;
        if (enclosingFunction(event.node) !== enclosingFunction(registration.call)) return undefined;
      }
      tokenText = this.freeName('unregisterToken');
      edits.push(this.insertStatementBefore(statement, `const ${tokenText} = {};`));
    }
    edits.push(this.tokenArgumentEdit(registration, tokenText));
    const unregisterEdits = this.unregisterBeforeEach(registration, events, registryText, dot, tokenText);
    if (!unregisterEdits) return undefined;
    edits.push(...unregisterEdits);
    return sortEdits(edits);
  }

  /**
   * The registration's token as it can be written where the release is:
   * itself when it means the same value there (`this` or a field of it in
   * the same class, a visible variable), `this` for a factory's local target
   * (`register(obj, ptr, obj)` in a static `__wrap`) seen from an instance
   * method; undefined otherwise.
   */
  tokenTextAt(registration: Registration, event: ReleaseEvent): string | undefined {
    const token = registration.token;
    if (!token || !this.isPortable(registration.registryNode, [event])) return undefined;
    const tokenNode = unwrap(token);
    const here = thisContext(registration.call);
    const there = thisContext(event.node);
    const sameInstanceContext = here !== undefined && there !== undefined && !here.isStatic && !there.isStatic && here.cls === there.cls;
    if (this.isPortable(tokenNode, [event]) && (!containsThis(tokenNode) || sameInstanceContext)) return this.text(tokenNode);
    const target = unwrap(registration.target);
    const cls = enclosingClass(registration.call);
    if (
      tokenNode.type === AST_NODE_TYPES.Identifier &&
      target.type === AST_NODE_TYPES.Identifier &&
      this.places.placeOf(tokenNode) === this.places.placeOf(target) &&
      cls &&
      there &&
      !there.isStatic &&
      there.cls === cls
    ) {
      return 'this';
    }
    return undefined;
  }

  /** `registry.unregister(token);` before the release of a registration that has a token. */
  unregisterEdits(registration: Registration, event: ReleaseEvent, tokenText: string): TextEdit[] | undefined {
    const dot = registration.optional ? '?.' : '.';
    const edits = this.unregisterBeforeEach(registration, [event], this.text(registration.registryNode), dot, tokenText);
    if (!edits) return undefined;
    // An `unregister` that comes too late, as its own statement after the release, moves up rather than staying twice
    // (only when every path to it passed the release: else it is the other paths' unregister).
    const late = this.registrations.unregistrations.find((unregistration) => {
      if (unregistration.registryKey !== registration.registryKey || this.isNoOp(unregistration)) return false;
      const statement = statementOf(unregistration.call);
      return (
        statement?.type === AST_NODE_TYPES.ExpressionStatement &&
        unwrap(statement.expression) === unregistration.call &&
        statement.range[0] > event.node.range[1] &&
        precedes(event.node, statement)
      );
    });
    if (late) edits.push(this.deleteStatement(statementOf(late.call) as TSESTree.Node));
    return sortEdits(edits);
  }

  /** Removes a statement with its line when it stands alone on it. */
  private deleteStatement(statement: TSESTree.Node): TextEdit {
    const lineStart = this.places.sourceText.lastIndexOf('\n', statement.range[0] - 1) + 1;
    const lineEnd = this.places.sourceText.indexOf('\n', statement.range[1]);
    const alone =
      /^\s*$/.test(this.places.sourceText.slice(lineStart, statement.range[0])) &&
      lineEnd >= 0 &&
      /^\s*$/.test(this.places.sourceText.slice(statement.range[1], lineEnd));
    return alone ? { range: [lineStart, lineEnd + 1], text: '' } : { range: statement.range, text: '' };
  }

  private unregisterBeforeEach(
    registration: Registration,
    events: readonly ReleaseEvent[],
    registryText: string,
    dot: string,
    tokenText: string,
  ): TextEdit[] | undefined {
    const edits: TextEdit[] = [];
    const done = new Set<TSESTree.Node>();
    for (const event of events) {
      // An existing no-op `registry.unregister(x)` before the release gets the token instead.
      const existing = this.registrations.unregistrations.find(
        (unregistration) =>
          unregistration.registryKey === registration.registryKey && this.isNoOp(unregistration) && precedes(unregistration.call, event.node),
      );
      if (existing?.argument) {
        if (done.has(existing.call)) continue;
        done.add(existing.call);
        edits.push({ range: existing.argument.range, text: tokenText });
        continue;
      }
      const statement = statementOf(event.node);
      if (!statement) return undefined;
      if (done.has(statement)) continue;
      done.add(statement);
      edits.push(this.insertStatementBefore(statement, `${registryText}${dot}unregister(${tokenText});`));
    }
    return edits;
  }

  /** An unregister whose argument is provably no registration's token (so giving it the new token changes nothing else). */
  private isNoOp(unregistration: Unregistration): boolean {
    const argument = unregistration.argument;
    if (!argument) return false;
    return this.registrations.registrations.every(
      (registration) => registration.registryKey !== unregistration.registryKey || this.registrations.isProvablyOtherToken(argument, registration),
    );
  }

  private tokenArgumentEdit(registration: Registration, tokenText: string): TextEdit {
    const third = registration.call.arguments[2];
    if (third) return { range: third.range, text: tokenText };
    return { range: [registration.held.range[1], registration.held.range[1]], text: `, ${tokenText}` };
  }

  /** Can this expression be written at every event and mean the same value there? */
  private isPortable(node: TSESTree.Node, events: readonly ReleaseEvent[]): boolean {
    node = unwrap(node);
    if (node.type === AST_NODE_TYPES.ThisExpression) return true;
    if (node.type === AST_NODE_TYPES.MemberExpression) return !node.computed && this.isPortable(node.object, events);
    if (node.type !== AST_NODE_TYPES.Identifier) return false;
    const variable = this.places.file.variableOf(node);
    if (!variable) return false;
    return events.every((event) => this.resolvesTo(node.name, event.node, variable));
  }

  private resolvesTo(name: string, at: TSESTree.Node, variable: Variable): boolean {
    let scope: Scope | null = this.scopeAt(at);
    while (scope) {
      const found = scope.set.get(name);
      if (found) return found === variable;
      scope = scope.upper;
    }
    return false;
  }

  private scopeAt(node: TSESTree.Node): Scope | null {
    for (let current: TSESTree.Node | undefined = node; current; current = current.parent) {
      const scope = this.places.input.scopeManager.acquire(current, true);
      if (scope) return scope;
    }
    return this.places.input.scopeManager.globalScope;
  }

  private insertStatementBefore(node: TSESTree.Node, statement: string): TextEdit {
    const lineStart = this.places.sourceText.lastIndexOf('\n', node.range[0] - 1) + 1;
    const before = this.places.sourceText.slice(lineStart, node.range[0]);
    const separator = /^\s*$/.test(before) ? `\n${before}` : ' ';
    return { range: [node.range[0], node.range[0]], text: `${statement}${separator}` };
  }

  private freeName(base: string): string {
    for (let index = 0; ; index++) {
      const name = index === 0 ? base : `${base}${index}`;
      if (!new RegExp(`\\b${name}\\b`).test(this.places.sourceText)) return name;
    }
  }

  private text(node: TSESTree.Node): string {
    return this.places.sourceText.slice(node.range[0], node.range[1]);
  }
}
