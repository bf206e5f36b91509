/**
 * Preset tests: findings of the analysis (all presets on, as by default) as
 * `kind@line`: leaks on normal paths, uses after release and double releases.
 */
import { summarize } from '../analysis/harness.js';

const KINDS = /^(leak|use-after-release|double-release)\??@/;

export function findings(code: string, filename?: string): string[] {
  return summarize(code, filename).filter((finding) => KINDS.test(finding));
}
