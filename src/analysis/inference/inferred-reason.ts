/** What a report on a handle found by usage inference says of the evidence (the flow's findings carry it). */
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
}
