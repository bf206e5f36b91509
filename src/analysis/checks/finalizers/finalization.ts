/**
 * `FinalizationRegistry` misuse: finalizers that race with
 * explicit releases, unregister calls that do nothing, registrations that
 * keep their own target alive, and cleanup callbacks that write shared state.
 *
 * Registries are found through the checker (any value whose type, or one of
 * whose union members, is `FinalizationRegistry`), so module constants,
 * class fields (static, `#private`), locals and the `typeof
 * FinalizationRegistry === 'undefined' ? {…} : new FinalizationRegistry(…)`
 * shape of wasm-bindgen glue are all seen.
 *
 * Values are matched by *place keys*: `c3:this.ptr` (field `ptr` of an
 * instance of class #3), `v7` / `v7.ptr` (a variable, or a member of it),
 * `s12` (a declared property symbol) and `t4` (an instance of a named class
 * or interface, for tokens). The held value of a registration is followed
 * to the field it came from (`this[0] = address`, `const p = this.ptr`),
 * and a released value back to its field or to a take-out method
 * (`const ptr = this.__destroy_into_raw()`).
 *
 * An explicit release is what the handle model says releases (`@release`,
 * `free()`/`delete()`/`dispose()` on a handle, `[Symbol.dispose]()`), plus,
 * for this analysis only, any call whose name matches
 * {@link RELEASE_CALL_NAME} given the held value or its field: wasm-bindgen
 * and emscripten glue free through unannotated imports such as
 * `wasm.__wbg_tiktoken_free(ptr)` or `C._ts_tree_delete(this[0])`.
 *
 * Everything is syntactic over one file plus the checker; "before" means
 * "earlier in an enclosing statement list and evaluated unconditionally
 * there", a dominance approximation that errs towards no report.
 */

import type { TSESTree } from '@typescript-eslint/utils';
import type { HandleModel } from '../../model/handle-model.js';
import type { FinalizationAnalysis, FinalizationInput } from './finalizer-model.js';
import { KeepAlive } from './keep-alive.js';
import { PlaceKeys } from './places.js';
import { Registrations } from './registrations.js';
import { ReleaseEvents } from './release-events.js';
import { ReleaseRaces } from './release-races.js';
import { SharedWrites } from './shared-writes.js';
import { TokenFixes } from './token-fixes.js';
import { UnregisterPaths } from './unregister-paths.js';
import { UnregisterTokens } from './unregister-tokens.js';

export type { FinalizationAnalysis, FinalizationInput, FinalizerFinding, FinalizerFindingKind, TextEdit } from './finalizer-model.js';
export { RELEASE_CALL_NAME } from './finalizer-model.js';

const cache = new WeakMap<TSESTree.Program, FinalizationAnalysis>();

/**
 * Analyse a file once; every finalizer rule reads the same result. The
 * model may be passed as a function, called only when the file needs it
 * (not for a file already analysed, nor for one that names no registry).
 */
export function analyzeFinalizers(input: FinalizationInput, model: HandleModel | (() => HandleModel)): FinalizationAnalysis {
  const cached = cache.get(input.ast);
  if (cached) return cached;
  let result: FinalizationAnalysis | undefined;
  try {
    if (!mayMentionRegistry(input)) result = NOTHING;
  } catch {
    result = NOTHING;
  }
  if (!result) {
    const resolved = typeof model === 'function' ? model() : model;
    try {
      result = finalizerAnalysis(input, resolved);
    } catch {
      // Precision over recall: an unexpected shape gives no report, never a crash.
      result = { findings: [], registrations: 0 };
    }
  }
  cache.set(input.ast, result);
  return result;
}

const NOTHING: FinalizationAnalysis = { findings: [], registrations: 0 };

/**
 * Can the file register, unregister or create a registry at all? Every
 * registration and unregistration is a call of a member named `register` /
 * `unregister`, and every creation names `FinalizationRegistry`, so a file
 * whose parser saw none of these names has nothing to analyse. The
 * TypeScript parser interns each identifier (and each literal property
 * name) of a file, escapes decoded, in `SourceFile.identifiers`; without it
 * the text is searched, conservatively.
 */
function mayMentionRegistry(input: FinalizationInput): boolean {
  const sourceFile = input.services.esTreeNodeToTSNodeMap.get(input.ast)?.getSourceFile();
  if (!sourceFile) return true;
  const identifiers = (sourceFile as { identifiers?: unknown }).identifiers;
  if (!(identifiers instanceof Map)) return /register|FinalizationRegistry|\\/.test(sourceFile.text);
  if (identifiers.has('register') || identifiers.has('unregister') || identifiers.has('FinalizationRegistry')) return true;
  // `new globalThis[('FinalizationRegistry')](…)`: a parenthesized literal is not interned.
  return sourceFile.text.includes('FinalizationRegistry');
}

/** The registry calls of the file, then each check over them: release races, tokens, keep-alive, shared writes. */
function finalizerAnalysis(input: FinalizationInput, model: HandleModel): FinalizationAnalysis {
  const places = new PlaceKeys(input, model);
  const registrations = new Registrations(places);
  registrations.collect(input.ast);
  if (registrations.calls.length === 0 && registrations.creations.length === 0) return { findings: [], registrations: 0 };
  for (const call of registrations.calls) registrations.classifyRegistryCall(call);
  if (registrations.registrations.length === 0 && registrations.unregistrations.length === 0 && registrations.creations.length === 0) {
    return { findings: [], registrations: 0 };
  }
  const releases = new ReleaseEvents(places, registrations);
  const unregisterPaths = new UnregisterPaths(registrations);
  const fixes = new TokenFixes(places, registrations);
  const events = registrations.registrations.length > 0 ? releases.releaseEvents() : [];
  new ReleaseRaces(registrations, unregisterPaths, fixes).checkReleases(events);
  new UnregisterTokens(registrations).checkUnregisters();
  const keepAlive = new KeepAlive(places, registrations);
  keepAlive.checkKeepAlive();
  new SharedWrites(places, registrations, keepAlive).checkCallbacks();
  registrations.findings.sort((a, b) => a.node.range[0] - b.node.range[0] || a.kind.localeCompare(b.kind));
  return { findings: registrations.findings, registrations: registrations.registrations.length };
}
