/**
 * Questions being answered, innermost last: a function's summary, whether a class owns handles,
 * whether a type or a node is a handle. Each reads the others' answers, and a question asked again
 * while it is being answered (recursion through the program's calls, or a class whose release
 * method's summary asks whether the class is a handle) gets its sound default (no summary, not an
 * owner, not a handle). As in Tarjan's algorithm for strongly connected components, every question
 * records the oldest open question whose default it read, itself or through the questions it asked
 * (`low`). An answer that read the default of a question opened before it depends on where the
 * recursion was entered: it is not kept, and the summaries among such answers wait for the
 * component to close (flow/summaries.ts), then are computed again, so that each says the same
 * whichever question was asked first.
 */

interface OpenQuestion {
  readonly index: number;
  /** The oldest open question whose default this one read (its own number when none). */
  low: number;
}

const open: OpenQuestion[] = [];
/** Questions are numbered in the order they open: a lower number opened earlier. */
let opened = 0;

/**
 * What closes a component (installed by flow/summaries.ts): the summaries that waited on the
 * question numbered `index` are computed again and kept, or forgotten when its answer failed;
 * true when there were any.
 */
export const components: { settle: (index: number, keep: boolean) => boolean } = { settle: () => false };

/** Open a question; returns its number. Close it with `closeQuestion`, also when its answer throws (innermost first). */
export function openQuestion(): number {
  const index = opened++;
  open.push({ index, low: index });
  return index;
}

/** The innermost open question read the default of question `index` (open, or a summary waiting on its component). */
export function readDefault(index: number): void {
  const top = open.at(-1);
  if (top) top.low = Math.min(top.low, index);
}

/** Close the innermost question: true when its answer is final (it read no default of a question opened before it). The asker inherits what it read. */
export function closeQuestion(): boolean {
  const question = open.pop();
  if (!question) throw new Error('no open question to close');
  const asker = open.at(-1);
  if (asker) asker.low = Math.min(asker.low, question.low);
  return question.low >= question.index;
}

const answering = new WeakMap<object, Map<unknown, number>>();

/**
 * The answer to `key` from `cache`, else computed and kept when it is final. Asked again while
 * `compute` runs, the answer is `byDefault`, and the asker's answer is not kept either. When
 * summaries waited on this question, they are computed again, and so is the answer.
 */
export function answer<K, V>(cache: Map<K, V>, key: K, byDefault: V, compute: () => V): V {
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  let inFlight = answering.get(cache);
  if (!inFlight) answering.set(cache, (inFlight = new Map()));
  const asked = inFlight.get(key);
  if (asked !== undefined) {
    readDefault(asked);
    return byDefault;
  }
  for (let round = 0; ; round++) {
    const index = openQuestion();
    inFlight.set(key, index);
    let final: boolean;
    let value: V;
    let threw = true;
    try {
      value = compute();
      threw = false;
    } finally {
      inFlight.delete(key);
      final = closeQuestion();
      if (threw) components.settle(index, false);
    }
    // Summaries read this question's default: once they are computed again, so is the answer.
    if (final && components.settle(index, true) && round === 0) continue;
    if (final) cache.set(key, value);
    return value;
  }
}
