/**
 * What `handle-lifetime` is doing, on one line of a terminal's stderr:
 * `loading the project…`, `building the TypeScript program…`, `linting
 * 12/40 files`. Nothing at all when stderr is not a terminal (CI logs,
 * pipes). The line is erased before anything else goes to stderr or stdout,
 * and at the end, also on error.
 */

export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

const PREFIX = 'handle-lifetime: ';
/** Carriage return, then erase to the end of the line. */
const ERASE_LINE = '\r\u001b[K';
/** Counting redraws at most this often: a terminal is slow next to linting a small file. */
const REDRAW_INTERVAL_MS = 100;

export class Progress {
  private readonly enabled: boolean;
  private phase = '';
  private total: number | undefined;
  private done = 0;
  private lineShown = false;
  private lastDraw = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly stream: ProgressStream,
    private readonly now: () => number = Date.now,
  ) {
    this.enabled = stream.isTTY === true;
  }

  /** A phase without a count (`building the TypeScript program`), shown at once. */
  show(phase: string): void {
    this.phase = phase;
    this.total = undefined;
    this.draw();
  }

  /** A phase that counts up to `total` (`linting 3/40 files`); calling it again for the same phase keeps the count. */
  count(phase: string, total: number): void {
    if (this.phase === phase && this.total === total) return;
    this.phase = phase;
    this.total = total;
    this.done = 0;
    this.draw();
  }

  /** One more done in the counting phase. */
  tick(): void {
    this.done++;
    if (this.done < (this.total ?? 0) && this.now() - this.lastDraw < REDRAW_INTERVAL_MS) return;
    this.draw();
  }

  /** Erases the line, if one is shown: call before writing anything else, and at the end. */
  clear(): void {
    if (!this.lineShown) return;
    this.stream.write(ERASE_LINE);
    this.lineShown = false;
  }

  private draw(): void {
    if (!this.enabled) return;
    this.lastDraw = this.now();
    const text = `${PREFIX}${this.phase}${this.total === undefined ? '…' : ` ${this.done}/${this.total} files`}`;
    // A line wider than the terminal wraps, and the erase would clear only its last row.
    const width = this.stream.columns;
    const fitted = width && text.length >= width ? `${text.slice(0, Math.max(0, width - 2))}…` : text;
    this.stream.write(`${ERASE_LINE}${fitted}`);
    this.lineShown = true;
  }
}
