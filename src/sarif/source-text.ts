/** The text behind an ESLint result, and its lines as ESLint counts them. */
import fs from 'node:fs';
import type { ESLint } from 'eslint';

/** ESLint's line breaks: `\r\n`, `\r`, `\n`, U+2028 and U+2029. */
const LINE_BREAK = /\r\n|[\r\n\u2028\u2029]/g;

/** The text the result's locations refer to: the fixed output, the source ESLint kept, or the file on disk. */
export function sourceTextOf(result: ESLint.LintResult): string {
  const text = result.output ?? result.source;
  if (text !== undefined) return text;
  try {
    // ESLint drops a byte order mark before it counts offsets.
    return fs.readFileSync(result.filePath, 'utf8').replace(/^\uFEFF/, '');
  } catch {
    return '';
  }
}

export function splitLines(text: string): string[] {
  return text.split(LINE_BREAK);
}

/** The offset where each line starts. */
export function lineStartOffsets(text: string): number[] {
  const starts = [0];
  for (const lineBreak of text.matchAll(LINE_BREAK)) starts.push(lineBreak.index + lineBreak[0].length);
  return starts;
}
