import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import type { ScopeIndex } from './scopes.js';
import type { ClassIndex } from './classes.js';
import type { Reachability } from './reachability.js';
import type { StoreCandidates } from './candidates.js';
import type { FreshIds } from './fresh-ids.js';
import type { MemoGuards } from './memo-guards.js';
import type { CollectedLocals } from './collected-locals.js';
import type { Candidate, FreshAccumulator, HandleStore, HandleStoreAnalysis, Node, Owner, Reach, Store, StoreFinding, StoreSite } from './store-model.js';
import { KNOWN_PERMANENT_STORES, PERMANENT_STORE_COMMENT } from './store-model.js';
import { byPosition, isFunctionLike, isNewOf, memberName, namesMethodCaller, parentOf, unstrip } from './syntax.js';

/**
 * The conclusions: per store, its insertions that count and its removal sites
 * with their reachability; stores marked permanent; the findings and the
 * stores as the rule and the scripts read them.
 */
export class StoreFindings {
  constructor(
    readonly scopes: ScopeIndex,
    readonly classes: ClassIndex,
    readonly reach: Reachability,
    readonly candidates: StoreCandidates,
    readonly freshIds: FreshIds,
    readonly memo: MemoGuards,
    readonly bounded: CollectedLocals,
  ) {}

  run(): HandleStoreAnalysis {
    const program = this.scopes.program;
    this.classes.collectScopes();
    this.scopes.collectExports(program);
    this.candidates.findStores();
    if (this.candidates.stores.length === 0) return { stores: [], findings: [] };
    this.candidates.classifyStoreUses();
    const findings = this.findings();
    let stores: readonly HandleStore[] | null = null;
    const allStores = (): readonly HandleStore[] => this.allStores();
    return {
      findings,
      get stores(): readonly HandleStore[] {
        if (stores === null) {
          try {
            stores = allStores();
          } catch {
            stores = [];
          }
        }
        return stores;
      },
    };
  }

  /**
   * A store's insertions, traced once. A store that escapes is never
   * reported, so its insertions are traced only when `stores` is read (in
   * typescript.js they were two thirds of this analysis).
   */
  private conclude(store: Store): void {
    if (store.concluded) return;
    store.concluded = true;
    this.concludeInsertions(store);
  }

  /**
   * The insertions that count: in repeating code, under a fresh id that leaves. In store order (ids are traced with a
   * shared cache). With `memo`, not those on the miss path of a lookup by key (get-or-create), nor those whose ids are.
   */
  private concludeInsertions(store: Store, memo?: MemoGuards): void {
    const scope = this.candidates.scopeOf(store);
    const insertions: StoreSite[] = [];
    let weakValues = true;
    for (const candidate of store.candidates) {
      if (!this.reach.repeats(this.reach.reachOf(scope), candidate.owner)) continue;
      if (memo && this.isMemoized(candidate, memo)) continue;
      const acc: FreshAccumulator = { scope, contexts: new Map(), chainCalls: new Set(), freeLists: new Set(), visiting: new Set() };
      let fresh = false;
      if (candidate.shape === 'push') {
        const ctx = this.freshIds.context(acc, candidate.owner);
        ctx.nodes.add(candidate.node);
        const key = this.freshIds.storeKey(store);
        if (key) ctx.lengthOf.add(key);
        for (const value of candidate.values) {
          if (!this.freshIds.fresh(value, candidate.owner, acc, 0)) this.freshIds.freshObject(value, candidate.owner, acc);
        }
        fresh = true;
      } else if (candidate.key) {
        fresh = this.freshIds.fresh(candidate.key, candidate.owner, acc, 0) || this.freshIds.freshObject(candidate.key, candidate.owner, acc);
      }
      for (const list of acc.freeLists) store.freeLists.add(list);
      if (!fresh || !this.freshIds.idLeaves(acc, candidate.node, store.name)) continue;
      insertions.push({ node: candidate.node, reachable: true });
      if (!candidate.values.some((value) => isNewOf(value, 'WeakRef'))) weakValues = false;
    }
    if (insertions.length === 0) weakValues = false;
    store.insertions = insertions;
    store.weakValues = weakValues;
  }

  private findings(): StoreFinding[] {
    const findings: StoreFinding[] = [];
    for (const store of this.candidates.stores) {
      // Cheapest first; uses from outside the class can only add escapes and removals.
      if (store.escapes) continue;
      this.conclude(store);
      if (store.insertions.length === 0 || store.weakValues || this.markedPermanent(store)) continue;
      if (store.field && !store.field.isPrivate) {
        if (this.removalSites(store).some((removal) => removal.reachable)) continue;
        this.candidates.ensureForeignUses();
      }
      let result = this.result(store);
      if (result.escapes || result.removals.some((removal) => removal.reachable)) continue;
      // The costlier tests, only for a store that would be reported.
      if (this.bounded.collectedForReturn(store)) continue;
      this.freshIds.withMemoGuards(this.memo, () => this.concludeInsertions(store, this.memo));
      store.result = undefined;
      result = this.result(store);
      if (result.insertions.length === 0) continue;
      findings.push({ kind: result.removals.length === 0 ? 'append-only' : 'unreached-removal', store: result });
    }
    findings.sort((a, b) => a.store.declaration.range[0] - b.store.declaration.range[0]);
    return findings;
  }

  /** The insertion runs only where a lookup by key missed, in its function or at every call of its function (`Cb(…)` in embind's `m`). */
  private isMemoized(candidate: Candidate, memo: MemoGuards): boolean {
    if (memo.isMemoized(candidate.node, candidate.owner)) return true;
    if (!isFunctionLike(candidate.owner)) return false;
    const sites = this.reach.callSitesOf(candidate.owner);
    return sites.length > 0 && sites.every((site) => memo.isMemoized(site.call, site.owner));
  }

  allStores(): HandleStore[] {
    for (const store of this.candidates.stores) this.conclude(store);
    this.candidates.ensureForeignUses();
    return this.candidates.stores.map((store) => this.result(store));
  }

  /** The store as reported. A public field store's is final only once uses from outside its class are in. */
  private result(store: Store): HandleStore {
    if (store.result) return store.result;
    store.result = {
      name: store.name,
      ...(store.field ? { className: store.field.cls.name } : {}),
      kind: store.kind,
      declaration: store.declaration,
      insertions: store.insertions,
      removals: this.removalSites(store),
      escapes: store.escapes,
      weakValues: store.weakValues,
      permanent: this.markedPermanent(store),
    };
    return store.result;
  }

  private removalSites(store: Store): StoreSite[] {
    if (store.removals.length === 0 && store.freeLists.size === 0) return [];
    const repeat = this.reach.reachOf(this.candidates.scopeOf(store));
    const moduleRepeat = this.reach.reachOf(this.scopes.program);
    const removals: StoreSite[] = store.removals.map(({ node, owner }) => ({
      node,
      reachable:
        this.reach.repeats(repeat, owner) || (store.field !== undefined && this.scopes.ownerOf(node) !== undefined && this.isForeignReachable(node, owner, moduleRepeat)),
    }));
    // Pushing an id back onto the free list this store draws from frees its slot.
    if (store.freeLists.size > 0) {
      for (const { member, owner } of this.freeListPushes(store.freeLists)) {
        const call = parentOf(member);
        if (call?.type === AST_NODE_TYPES.CallExpression) removals.push({ node: call, reachable: this.reach.repeats(repeat, owner) || this.reach.repeats(moduleRepeat, owner) });
      }
    }
    return removals;
  }

  /** `list.push(…)` and `list.unshift(…)` on the given arrays (by `sourceKey`), in source order. */
  private freeListPushes(keys: ReadonlySet<string>): { member: TSESTree.MemberExpression; owner: Owner }[] {
    const pushes: { member: TSESTree.MemberExpression; owner: Owner }[] = [];
    const consider = (object: Node, owner: Owner | undefined): void => {
      const site = unstrip(object);
      const member = parentOf(site);
      if (!owner || member?.type !== AST_NODE_TYPES.MemberExpression || member.object !== site) return;
      const name = memberName(member);
      if ((name === 'push' || name === 'unshift') && keys.has(this.freshIds.sourceKey(member.object, owner) ?? '')) pushes.push({ member, owner });
    };
    for (const key of keys) {
      const variable = this.scopes.keyVariables.get(key);
      if (variable) for (const reference of variable.references) consider(reference.identifier, this.scopes.ownerOfReference(reference));
    }
    for (const cls of this.classes.classes.values()) {
      const prefix = `f${cls.name}.`;
      const names = [...keys].filter((key) => key.startsWith(prefix)).map((key) => key.slice(prefix.length));
      if (names.length === 0) continue;
      for (const { node, owner } of this.classes.thisMembersOfClass(cls, names)) consider(node, owner);
    }
    const seen = new Set<Node>();
    return pushes.filter(({ member }) => !seen.has(member) && seen.add(member)).sort((a, b) => byPosition(a.member, b.member));
  }

  /** A public field store emptied from outside its class (`ctx.fnMaps.clear()`): reachable as module code. */
  private isForeignReachable(node: Node, owner: Owner, moduleRepeat: Reach): boolean {
    void node;
    return this.reach.repeats(moduleRepeat, owner);
  }

  /** `// handle-lifetime: permanent-store` on the declaration's line or the line above, or `@permanent` in its JSDoc. */
  private markedPermanent(store: Store): boolean {
    if (!store.field && KNOWN_PERMANENT_STORES.get(store.name) === store.kind) return true;
    if (!store.field && store.kind === 'array' && this.isEmbindMethodCallerTable(store)) return true;
    const statement = this.statementOf(store.declaration);
    const first = statement.loc.start.line;
    const candidates = new Set([...this.commentsOnLine(store.declaration.loc.start.line), ...this.commentsOnLine(first), ...this.commentsOnLine(first - 1)]);
    for (const comment of candidates) {
      const text = comment.value;
      if (text.includes(PERMANENT_STORE_COMMENT)) return true;
      if (comment.type === 'Block' && text.startsWith('*') && /@permanent\b/.test(text) && comment.loc.end.line <= first) return true;
    }
    return false;
  }

  /**
   * embind's method-caller table in minified glue, where it has lost its name
   * (`Kc=[]; Oc=a=>{var b=Kc.length;Kc.push(a);return b}`): its insertions are in a function
   * that the method-caller import calls, and that import names each caller for its signature
   * (`methodCaller<(…) => …>`).
   */
  private isEmbindMethodCallerTable(store: Store): boolean {
    if (store.insertions.length === 0) return false;
    return store.insertions.every((insertion) => {
      const owner = this.scopes.ownerOf(insertion.node);
      if (!owner || owner === this.scopes.program) return false;
      const callers = this.reach.callSitesOf(owner);
      return callers.length > 0 && callers.every((site) => site.owner !== this.scopes.program && namesMethodCaller(site.owner));
    });
  }

  /** Comments that start or end on a line (comments come sorted and never overlap). */
  private commentsOnLine(line: number): TSESTree.Comment[] {
    const comments = this.scopes.program.comments ?? [];
    let low = 0;
    let high = comments.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (comments[middle]!.loc.end.line < line) low = middle + 1;
      else high = middle;
    }
    const found: TSESTree.Comment[] = [];
    for (let i = low; i < comments.length && comments[i]!.loc.start.line <= line; i++) {
      const comment = comments[i]!;
      if (comment.loc.start.line === line || comment.loc.end.line === line) found.push(comment);
    }
    return found;
  }

  private statementOf(node: Node): Node {
    let current = node;
    for (;;) {
      const parent = parentOf(current);
      if (!parent) return current;
      if (
        current.type === AST_NODE_TYPES.PropertyDefinition ||
        current.type === AST_NODE_TYPES.ExpressionStatement ||
        (current.type === AST_NODE_TYPES.VariableDeclaration && parent.type !== AST_NODE_TYPES.ExportNamedDeclaration) ||
        current.type === AST_NODE_TYPES.ExportNamedDeclaration
      ) {
        return current;
      }
      current = parent;
    }
  }
}
