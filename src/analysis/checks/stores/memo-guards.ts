import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import { forEachChild } from '../../ir/ast.js';
import type { ScopeIndex } from './scopes.js';
import type { Node, Owner } from './store-model.js';
import { isFunctionLike, isNullish, memberName, parentOf, strip } from './syntax.js';

/** Calls that look an entry up in the table they are called on: truthy when they find one. */
const LOOKUP_METHODS = new Set(['get', 'has', 'find', 'findLast', 'some', 'includes']);
/** Calls that look an entry up and answer -1 when there is none. */
const INDEX_LOOKUP_METHODS = new Set(['indexOf', 'lastIndexOf', 'findIndex', 'findLastIndex']);
/** Calls that add an entry to the table they are called on. */
const WRITE_METHODS = new Set(['set', 'add', 'push', 'unshift', 'splice']);

/** A lookup in some tables by some keys, and whether a test is true when the lookup found an entry (`hit`) or when it did not. */
interface Lookup {
  readonly tables: readonly Node[];
  readonly keys: readonly Node[];
  readonly hit: boolean;
}

/**
 * Get-or-create: an id minted, or an entry added, only where a lookup by key found nothing, in a
 * function that records the new entry where the lookup looks. The same key finds that entry the
 * next time, so the entries are bounded by the keys, not by the calls:
 *
 * - `const cached = byKey[key]; if (cached !== undefined) return cached; … byKey[key] = id` (embind's
 *   method callers, one per signature);
 * - `let id = ids.get(value); if (id === undefined) ids.set(value, (id = ids.size))`;
 * - `if (list.find((entry) => entry.key === key)) return …; list.push({ key, … })`, or a `throw`
 *   when the key is already there.
 *
 * Not when the key is itself a fresh id (`groups.get(id >> 8)` with `id = next++`): then the keys
 * grow with the calls.
 */
export class MemoGuards {
  /** Per owner: the tables its own code adds entries to, by `tableKey`. */
  private readonly writesCache = new Map<Owner, Set<string>>();

  /** Lookups whose keys are being traced: a key's trace may meet another guard, which is then taken as no guard. */
  private depth = 0;

  constructor(
    private readonly scopes: ScopeIndex,
    private readonly isFreshKey: (key: Node, owner: Owner) => boolean,
  ) {}

  /** Does `node` run in `owner` only after a lookup by key missed, in a function that records what it adds there? */
  isMemoized(node: Node, owner: Owner): boolean {
    let child = node;
    for (let parent = parentOf(node); parent && child !== owner && !isFunctionLike(child); child = parent, parent = parentOf(parent)) {
      switch (parent.type) {
        case AST_NODE_TYPES.IfStatement:
        case AST_NODE_TYPES.ConditionalExpression:
          if (child === parent.consequent && this.guards(parent.test, false, owner)) return true;
          if (child === parent.alternate && this.guards(parent.test, true, owner)) return true;
          break;
        case AST_NODE_TYPES.BlockStatement:
          for (const statement of parent.body) {
            if (statement === child) break;
            if (statement.type === AST_NODE_TYPES.IfStatement && !statement.alternate && exits(statement.consequent) && this.guards(statement.test, true, owner)) return true;
          }
          break;
        case AST_NODE_TYPES.LogicalExpression:
          if (child === parent.right && (parent.operator === '??' || parent.operator === '||') && this.guards(parent.left, true, owner)) return true;
          break;
        case AST_NODE_TYPES.AssignmentExpression:
          if (child === parent.right && (parent.operator === '??=' || parent.operator === '||=') && this.guards(parent.left, true, owner)) return true;
          break;
        default:
          break;
      }
    }
    return false;
  }

  /** Is `test` a lookup whose truth means `hit` (an entry found) or not, in tables that `owner` writes? */
  private guards(test: Node, hit: boolean, owner: Owner): boolean {
    const lookup = this.lookupOf(test, 0);
    if (!lookup || lookup.hit !== hit) return false;
    const writes = this.writesOf(owner);
    const recorded = lookup.tables.some((table) => {
      const key = this.tableKey(table);
      return key !== null && writes.has(key);
    });
    if (!recorded || this.depth > 1) return false;
    this.depth++;
    try {
      return !lookup.keys.some((key) => this.isFreshKey(key, owner));
    } finally {
      this.depth--;
    }
  }

  private lookupOf(expr: Node, depth: number): Lookup | null {
    if (depth > 3) return null;
    const e = strip(expr);
    switch (e.type) {
      case AST_NODE_TYPES.UnaryExpression: {
        if (e.operator !== '!') return null;
        const inner = this.lookupOf(e.argument, depth + 1);
        return inner && { ...inner, hit: !inner.hit };
      }
      case AST_NODE_TYPES.BinaryExpression:
        return this.comparedLookup(e, depth);
      case AST_NODE_TYPES.CallExpression: {
        const callee = strip(e.callee);
        const name = memberName(callee);
        if (callee.type !== AST_NODE_TYPES.MemberExpression || name === null || !LOOKUP_METHODS.has(name)) return null;
        // `tracks.some((track) => this.playlists.some(…))`: a lookup in the tables its callback looks in, too.
        const callback = e.arguments[0];
        const inner = callback && isFunctionLike(callback) && callback.body.type !== AST_NODE_TYPES.BlockStatement ? this.lookupOf(callback.body, depth + 1) : null;
        if (inner?.hit) return { tables: [callee.object, ...inner.tables], keys: inner.keys, hit: true };
        const key = callback && !isFunctionLike(callback) && callback.type !== AST_NODE_TYPES.SpreadElement ? [callback] : [];
        return { tables: [callee.object], keys: key, hit: true };
      }
      case AST_NODE_TYPES.MemberExpression:
        return e.computed ? { tables: [e.object], keys: [e.property], hit: true } : null;
      case AST_NODE_TYPES.Identifier: {
        // `const cached = byKey[key]`: the variable holds what the lookup found.
        const definition = this.scopes.variableOf(e)?.defs[0];
        if (definition?.type !== 'Variable') return null;
        const init = (definition.node as TSESTree.VariableDeclarator).init;
        return init ? this.lookupOf(init, depth + 1) : null;
      }
      default:
        return null;
    }
  }

  /** `found !== undefined`, `cached == null`, `index < 0`, `index !== -1`: a lookup compared with "nothing". */
  private comparedLookup(e: TSESTree.BinaryExpression, depth: number): Lookup | null {
    if (e.left.type === AST_NODE_TYPES.PrivateIdentifier) return null;
    const [value, other] = isNullish(e.right) || numberOf(e.right) !== null ? [e.left, e.right] : [e.right, e.left];
    if (isNullish(other)) {
      const inner = this.lookupOf(value, depth + 1);
      if (!inner) return null;
      if (e.operator === '!==' || e.operator === '!=') return inner;
      if (e.operator === '===' || e.operator === '==') return { ...inner, hit: !inner.hit };
      return null;
    }
    const bound = numberOf(other);
    if (bound === null) return null;
    const inner = this.indexLookupOf(value, depth + 1);
    if (!inner) return null;
    const flipped = value !== e.left;
    const operator = flipped ? ({ '<': '>', '>': '<', '<=': '>=', '>=': '<=' } as Record<string, string>)[e.operator] ?? e.operator : e.operator;
    const found = (operator === '>=' && bound === 0) || (operator === '>' && bound === -1) || ((operator === '!==' || operator === '!=') && bound === -1);
    const missing = (operator === '<' && bound === 0) || (operator === '<=' && bound === -1) || ((operator === '===' || operator === '==') && bound === -1);
    return found || missing ? { ...inner, hit: found } : null;
  }

  /** `list.indexOf(x)`, `list.findIndex(…)`, `slots[key]` (a table of indices, -1 where empty), or a variable holding one. */
  private indexLookupOf(expr: Node, depth: number): Lookup | null {
    if (depth > 3) return null;
    const e = strip(expr);
    if (e.type === AST_NODE_TYPES.CallExpression) {
      const callee = strip(e.callee);
      const name = memberName(callee);
      if (callee.type !== AST_NODE_TYPES.MemberExpression || name === null || !INDEX_LOOKUP_METHODS.has(name)) return null;
      const key = e.arguments[0];
      return { tables: [callee.object], keys: key && !isFunctionLike(key) && key.type !== AST_NODE_TYPES.SpreadElement ? [key] : [], hit: true };
    }
    if (e.type === AST_NODE_TYPES.MemberExpression) return e.computed ? { tables: [e.object], keys: [e.property], hit: true } : null;
    if (e.type !== AST_NODE_TYPES.Identifier) return null;
    const definition = this.scopes.variableOf(e)?.defs[0];
    if (definition?.type !== 'Variable') return null;
    const init = (definition.node as TSESTree.VariableDeclarator).init;
    return init ? this.indexLookupOf(init, depth + 1) : null;
  }

  /** The tables `owner`'s own code adds to (`t.set(…)`, `t.push(…)`, `t[k] = …`), by `tableKey`. */
  private writesOf(owner: Owner): Set<string> {
    let writes = this.writesCache.get(owner);
    if (writes) return writes;
    const found = new Set<string>();
    const note = (table: Node): void => {
      const key = this.tableKey(table);
      if (key !== null) found.add(key);
    };
    const visit = (node: Node): void => {
      if (node !== owner && (isFunctionLike(node) || node.type === AST_NODE_TYPES.StaticBlock)) return;
      if (node.type === AST_NODE_TYPES.CallExpression) {
        const callee = strip(node.callee);
        const name = memberName(callee);
        if (callee.type === AST_NODE_TYPES.MemberExpression && name !== null && WRITE_METHODS.has(name)) note(callee.object);
      } else if (node.type === AST_NODE_TYPES.AssignmentExpression) {
        const left = strip(node.left);
        if (left.type === AST_NODE_TYPES.MemberExpression && left.computed) note(left.object);
      }
      forEachChild(node, visit);
    };
    visit(owner);
    writes = found;
    this.writesCache.set(owner, writes);
    return writes;
  }

  /** A name for a table across expressions of one function: `byKey`, `this.trackDatas`, `this.ids`. */
  private tableKey(expr: Node): string | null {
    const e = strip(expr);
    if (e.type === AST_NODE_TYPES.ThisExpression) return 'this';
    if (e.type === AST_NODE_TYPES.Identifier) {
      const variable = this.scopes.variableOf(e);
      return variable ? `v${variable.$id}` : `g${e.name}`;
    }
    if (e.type === AST_NODE_TYPES.MemberExpression && !e.computed) {
      const object = this.tableKey(e.object);
      const name = memberName(e);
      return object !== null && name !== null ? `${object}.${name}` : null;
    }
    return null;
  }
}

/** A statement that leaves the function: `return …`, `throw …`, or a block that ends with one. */
function exits(statement: Node): boolean {
  if (statement.type === AST_NODE_TYPES.ReturnStatement || statement.type === AST_NODE_TYPES.ThrowStatement) return true;
  if (statement.type !== AST_NODE_TYPES.BlockStatement) return false;
  const last = statement.body[statement.body.length - 1];
  return last !== undefined && exits(last);
}

/** `0`, `-1`: a number literal, or null. */
function numberOf(node: Node): number | null {
  const n = strip(node);
  if (n.type === AST_NODE_TYPES.Literal && typeof n.value === 'number') return n.value;
  if (n.type === AST_NODE_TYPES.UnaryExpression && n.operator === '-' && n.argument.type === AST_NODE_TYPES.Literal && typeof n.argument.value === 'number') return -n.argument.value;
  return null;
}
