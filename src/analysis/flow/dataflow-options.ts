/** What `runDataflow` takes and gives. */
import type { MethodSummary } from '../model/call-effects.js';
import type { Finding } from './findings.js';

export interface DataflowOptions {
  /** Report leaks (off for the module body, whose handles live as long as the program). */
  readonly checkLeaks: boolean;
  /** Collect summary facts about parameters and returns instead of findings. */
  readonly summarize: boolean;
}

export interface DataflowResult {
  readonly findings: Finding[];
  readonly summary: MethodSummary | undefined;
  /** The function went past the analysis budget and was skipped. */
  readonly skipped: boolean;
}
