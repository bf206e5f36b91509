/** What the analysis of a file is given: the ESTree AST, the parser services and a scope manager (no ESLint). */
import type { ScopeManager } from '@typescript-eslint/scope-manager';
import type { TSESTree } from '@typescript-eslint/utils';
import type { ParserServicesLike } from './file-context.js';
import type { FileScan } from './prefilter.js';

export interface AnalysisInput {
  readonly ast: TSESTree.Program;
  readonly services: ParserServicesLike;
  readonly scopeManager: ScopeManager;
  /** The file's structure, when the caller collected it on a walk it made anyway (ESLint's); else the analysis walks the file. */
  readonly scan?: FileScan;
}
