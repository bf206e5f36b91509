/**
 * Which APIs the evidence says acquire, and how strongly: the thresholds of
 * `settings['handle-lifetime'].inferFromUsage`, and Engler's z statistic for
 * proportions ("Bugs as deviant behavior", SOSP 2001), which ranks an API by
 * how many functions release its values against how many do not.
 */
import type { ApiDetails, ProgramEvidence } from './program-evidence.js';

export interface InferenceThresholds {
  /** At least this many functions release the API's values on every path. */
  readonly minReleasing: number;
  /** Of the functions that keep a value (release it, or neither release nor hand it on), at least this share release it. */
  readonly minRatio: number;
  /** The share of releasing functions that is no evidence at all (Engler's p0). */
  readonly p0: number;
  /** The least z of strong evidence, which the rules report by default (`recommended`): ranks out an API whose release share is barely above `p0` on few functions. */
  readonly minZ: number;
  /** The least z of weak evidence, which the rules report only when asked (`checkWeaklyInferred`, on in `strict` and `all`). */
  readonly weakMinZ: number;
}

/** Strong: 5 of 6 functions releasing (z 0.47); weak: 4 of 5 (z 0.26); 3 of 4 (z 0) is not inferred. */
export const defaultInferenceThresholds: InferenceThresholds = { minReleasing: 3, minRatio: 0.75, p0: 0.75, minZ: 0.4, weakMinZ: 0.2 };

/** An API the program's usage says acquires: its values must be released. */
export interface InferredApi extends ApiDetails {
  readonly key: string;
  /** Functions that keep a value: releasing + not releasing (those that hand every value on are neither). */
  readonly keeping: number;
  readonly z: number;
  /** z is below `minZ`: reported only where the rules ask for weak evidence too. */
  readonly weak: boolean;
}

/** z = (e/n − p0) / √(p0 (1 − p0) / n), with e functions releasing out of n keeping. */
export function zScore(releasing: number, keeping: number, p0: number): number {
  if (keeping === 0) return 0;
  // A share of 1 (or 0) as p0 has no spread: any deviation would be infinitely significant.
  p0 = Math.min(Math.max(p0, 0.01), 0.99);
  return (releasing / keeping - p0) / Math.sqrt((p0 * (1 - p0)) / keeping);
}

/** The APIs one program's evidence makes acquiring under one set of thresholds. */
export class InferredApis {
  private readonly decided = new Map<string, InferredApi | null>();

  constructor(
    private readonly evidence: ProgramEvidence,
    private readonly thresholds: InferenceThresholds,
  ) {}

  /** The API of this key, if the evidence makes it acquiring. */
  api(key: string): InferredApi | undefined {
    let decided = this.decided.get(key);
    if (decided === undefined) {
      decided = this.decide(key) ?? null;
      this.decided.set(key, decided);
    }
    return decided ?? undefined;
  }

  /** Every API the evidence makes acquiring. */
  all(): InferredApi[] {
    const apis: InferredApi[] = [];
    for (const key of this.evidence.totals.keys()) {
      const api = this.api(key);
      if (api) apis.push(api);
    }
    return apis;
  }

  private decide(key: string): InferredApi | undefined {
    const totals = this.evidence.totals.get(key);
    if (!totals) return undefined;
    const keeping = totals.releasing + totals.notReleasing;
    const { minReleasing, minRatio, p0, minZ, weakMinZ } = this.thresholds;
    if (totals.releasing < minReleasing || totals.releasing < minRatio * keeping) return undefined;
    const z = zScore(totals.releasing, keeping, p0);
    if (z < Math.min(minZ, weakMinZ)) return undefined;
    return { ...this.evidence.detailsOf(key)!, key, keeping, z, weak: z < minZ };
  }
}
