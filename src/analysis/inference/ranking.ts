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
  /** Findings on an API whose z is below this are reported only when a rule asks for every inferred finding (strict, all). */
  readonly minZ: number;
}

export const defaultInferenceThresholds: InferenceThresholds = { minReleasing: 3, minRatio: 0.75, p0: 0.9, minZ: 0 };

/** An API the program's usage says acquires: its values must be released. */
export interface InferredApi extends ApiDetails {
  readonly key: string;
  /** Functions that keep a value: releasing + not releasing (those that hand every value on are neither). */
  readonly keeping: number;
  readonly z: number;
  /** The evidence reaches `minZ`: reported in `recommended`. */
  readonly ranked: boolean;
}

/** z = (e/n − p0) / √(p0 (1 − p0) / n), with e functions releasing out of n keeping. */
export function zScore(releasing: number, keeping: number, p0: number): number {
  if (keeping === 0) return 0;
  return (releasing / keeping - p0) / Math.sqrt((p0 * (1 - p0)) / keeping);
}

/** The APIs one program's evidence makes acquiring under one set of thresholds. */
export class InferredApis {
  private readonly decided = new Map<string, InferredApi | null>();

  constructor(
    private readonly evidence: ProgramEvidence,
    private readonly thresholds: InferenceThresholds,
  ) {}

  /** Is any API of the program inferred (else the file needs no further look)? */
  get any(): boolean {
    for (const key of this.evidence.totals.keys()) if (this.api(key)) return true;
    return false;
  }

  /** The API of this key, if the evidence makes it acquiring. */
  api(key: string): InferredApi | undefined {
    let decided = this.decided.get(key);
    if (decided === undefined) {
      decided = this.decide(key) ?? null;
      this.decided.set(key, decided);
    }
    return decided ?? undefined;
  }

  /** The names of the inferred APIs' callees (the last segment of each key), for a cheap first look at a call. */
  get names(): ReadonlySet<string> {
    this.calleeNames ??= new Set([...this.evidence.totals.keys()].filter((key) => this.api(key)).map((key) => key.slice(key.search(/[ .][^ .]*$/) + 1)));
    return this.calleeNames;
  }

  private calleeNames: ReadonlySet<string> | undefined;

  private decide(key: string): InferredApi | undefined {
    const totals = this.evidence.totals.get(key);
    if (!totals) return undefined;
    const keeping = totals.releasing + totals.notReleasing;
    const { minReleasing, minRatio, p0, minZ } = this.thresholds;
    if (totals.releasing < minReleasing || totals.releasing < minRatio * keeping) return undefined;
    const details = this.evidence.detailsOf(key)!;
    const z = zScore(totals.releasing, keeping, p0);
    return { ...details, key, keeping, z, ranked: z >= minZ };
  }
}
