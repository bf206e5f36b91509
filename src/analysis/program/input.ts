/** What the analysis of a file is given: the ESTree AST, the parser services and a scope manager (no ESLint). */
import type { ScopeManager } from '@typescript-eslint/scope-manager';
import type { TSESTree } from '@typescript-eslint/utils';
import type { ParserServicesLike } from './file-context.js';
import type { FileScan } from './prefilter.js';
import type { HandleModelOptions } from '../model/handle-model.js';
import type { HandleLifetimeSettings } from '../model/settings.js';

export interface AnalysisInput {
  readonly ast: TSESTree.Program;
  readonly services: ParserServicesLike;
  readonly scopeManager: ScopeManager;
  /** The file's structure, when the caller collected it on a walk it made anyway (ESLint's); else the analysis walks the file. */
  readonly scan?: FileScan;
}

export interface AnalysisOptions {
  readonly model?: Partial<HandleModelOptions>;
  /**
   * `settings['handle-lifetime']`, already validated (src/analysis/model/settings.ts):
   * presets to turn off and APIs to describe. Every preset is on when absent.
   */
  readonly settings?: HandleLifetimeSettings;
  /** Told how each function went and how long it took (the benchmark's per-function figures). */
  readonly onFunction?: (fn: TSESTree.Node, outcome: FunctionOutcome, ms: number, error?: unknown) => void;
}

/** `prefiltered`: touches no handle; `too-large` / `over-budget` / `error`: skipped. */
export type FunctionOutcome = 'prefiltered' | 'analysed' | 'too-large' | 'over-budget' | 'error';
