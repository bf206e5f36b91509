/** What a report on a handle found by usage inference says of the evidence (the flow's findings carry it). */
import type { Place } from './file-evidence.js';

export interface InferredReason {
  /** The acquisition as written where it was seen released (`new Module.Shape()`). */
  readonly api: string;
  /** How its values are released, as a participle (`deleted`, ``released by `Module._free()` ``). */
  readonly released: string;
  readonly releasing: number;
  /** Functions that keep a value: releasing and not. */
  readonly keeping: number;
  /** Where releasing functions release it (`line 12`, `shapes.js:40`). */
  readonly places: string;
  /** The same places as locations, for related locations of the report (SARIF). */
  readonly releaseSites: readonly Place[];
  /** The evidence is weak (z below `minZ`): reported only where a rule asks for weak evidence too. */
  readonly weak: boolean;
}
