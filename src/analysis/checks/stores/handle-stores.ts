/**
 * Append-only handle stores: tables that hand out fresh ids for the values
 * they keep (`store.set(next++, value)`, `store.push(value)`) and never take
 * an entry out again. A long-running program grows them without bound and
 * every value they keep stays alive after its id was dropped.
 *
 * A store is a `Map`, `Set`, array or empty plain-object record held by a
 * module-level variable, by a variable that closures capture (a factory's
 * locals, as in emscripten glue), or by a class field. Per file, without
 * types and without ESLint: the AST and the scope manager are enough.
 *
 * Reachability: a function counts when exported code, or a closure that
 * escapes (returned, stored, passed on), can run it any number of times.
 * Code that runs once per store (module top level, a factory body, a
 * constructor) neither grows a store without bound nor reclaims it later.
 *
 * Cost: nothing here walks the whole file on the way to the findings. The
 * scope manager indexes what matters (functions, classes, variables and
 * their references, in ESLint's parent-linked AST); code is read per owner,
 * on demand: a class's methods for `this.x` when its field stores are used
 * or its methods are explored, a function when an insertion is traced
 * through it. A file without a store declaration stops after its variables
 * are listed, and locals of functions without closures are not even looked
 * at. The one whole-file walk left (uses of a public field store from
 * outside its class, `other.fnMaps.clear()`) runs only when such a store
 * would otherwise be reported, or when `stores` is read. The results are
 * those of a walk over every node: same stores, sites, order and findings.
 */

import type { TSESTree } from '@typescript-eslint/utils';
import { Reachability } from './reachability.js';
import { ClassIndex } from './classes.js';
import { FreshIds } from './fresh-ids.js';
import { ScopeIndex } from './scopes.js';
import { StoreCandidates } from './candidates.js';
import { StoreFindings } from './store-findings.js';
import { MemoGuards } from './memo-guards.js';
import { CollectedLocals } from './collected-locals.js';
import type { HandleStoreAnalysis, HandleStoreInput } from './store-model.js';

export type { HandleStore, HandleStoreAnalysis, HandleStoreInput, StoreFinding, StoreFindingKind, StoreKind, StoreSite } from './store-model.js';
export { PERMANENT_STORE_COMMENT } from './store-model.js';

const cache = new WeakMap<TSESTree.Program, HandleStoreAnalysis>();

/** Analyse a file once; later calls with the same AST return the same result. */
export function analyzeHandleStores(input: HandleStoreInput): HandleStoreAnalysis {
  const cached = cache.get(input.ast);
  if (cached) return cached;
  let result: HandleStoreAnalysis;
  try {
    result = storeAnalysis(input).run();
  } catch {
    // Precision over recall: an unexpected shape costs this file its reports, never the lint run.
    result = { stores: [], findings: [] };
  }
  cache.set(input.ast, result);
  return result;
}

/**
 * The parts of the analysis, each over the ones below it: scopes, classes, who runs whom, stores, fresh ids, findings
 * (with the get-or-create guards and the collected locals, read only for stores that would be reported).
 */
function storeAnalysis(input: HandleStoreInput): StoreFindings {
  const scopes = new ScopeIndex(input.ast, input.scopeManager);
  const classes = new ClassIndex(scopes);
  const reach = new Reachability(scopes, classes);
  const candidates = new StoreCandidates(scopes, classes);
  const freshIds = new FreshIds(scopes, classes, reach, candidates);
  const memo = new MemoGuards(scopes, (key, owner) => freshIds.isFreshKey(key, owner));
  return new StoreFindings(scopes, classes, reach, candidates, freshIds, memo, new CollectedLocals(scopes));
}
