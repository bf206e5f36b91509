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
  /** The least z an API needs to be inferred: ranks out an API whose release share is barely above `p0` on few functions. */
  readonly minZ: number;
}

/** 5 of 6 functions releasing is inferred (z 0.47), 3 of 4 is not (z 0). */
export const defaultInferenceThresholds: InferenceThresholds = { minReleasing: 3, minRatio: 0.75, p0: 0.75, minZ: 0.4 };

/** An API the program's usage says acquires: its values must be released. */
export interface InferredApi extends ApiDetails {
  readonly key: string;
  /** Functions that keep a value: releasing + not releasing (those that hand every value on are neither). */
  readonly keeping: number;
  readonly z: number;
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
    const { minReleasing, minRatio, p0, minZ } = this.thresholds;
    if (totals.releasing < minReleasing || totals.releasing < minRatio * keeping) return undefined;
    const details = this.evidence.detailsOf(key)!;
    const z = zScore(totals.releasing, keeping, p0);
    return z >= minZ ? { ...details, key, keeping, z } : undefined;
  }
}
