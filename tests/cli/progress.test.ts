// Progress on a terminal's stderr: what it shows, that it is erased before anything
// else and at the end (also on error), and that nothing of it reaches a pipe or a CI log.
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { Progress } from '../../src/cli/progress.js';
import { exampleDir } from './harness.js';

/** A stream that keeps what is written; `isTTY` as a terminal's or a pipe's. */
class FakeStream {
  text = '';
  constructor(
    readonly isTTY: boolean,
    readonly columns?: number,
  ) {}
  write(chunk: string | Uint8Array): boolean {
    this.text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }
}

/** The lines a terminal shows after `text`: `\r` returns to the start of the line, `ESC[K` erases to its end. */
function screen(text: string): string[] {
  const lines = [''];
  let column = 0;
  const escape = '\u001b';
  for (const token of text.match(new RegExp(`\r|\n|${escape}\\[K|[^\r\n${escape}]+`, 'g')) ?? []) {
    const last = lines.length - 1;
    if (token === '\r') column = 0;
    else if (token === '\n') {
      lines.push('');
      column = 0;
    } else if (token === '\u001b[K') lines[last] = lines[last].slice(0, column);
    else {
      lines[last] = lines[last].slice(0, column) + token + lines[last].slice(column + token.length);
      column += token.length;
    }
  }
  return lines.filter((line, index) => line !== '' || index < lines.length - 1);
}

describe('Progress', () => {
  it('draws phases and counts on one line of a terminal and erases it', () => {
    const stream = new FakeStream(true);
    let now = 0;
    const progress = new Progress(stream, () => now);
    progress.show('building the TypeScript program');
    expect(screen(stream.text)).toEqual(['handle-lifetime: building the TypeScript program…']);
    progress.count('linting', 3);
    progress.tick();
    expect(screen(stream.text)).toEqual(['handle-lifetime: linting 0/3 files']); // redrawn at most every 100 ms
    now = 150;
    progress.tick();
    expect(screen(stream.text)).toEqual(['handle-lifetime: linting 2/3 files']);
    progress.tick();
    expect(screen(stream.text)).toEqual(['handle-lifetime: linting 3/3 files']); // the last one always
    progress.clear();
    expect(screen(stream.text)).toEqual([]);
    const written = stream.text;
    progress.clear();
    expect(stream.text).toBe(written);
  });

  it('fits the line to the terminal: a wrapped line would not be erased', () => {
    const stream = new FakeStream(true, 30);
    new Progress(stream).show('building the TypeScript program');
    expect(screen(stream.text)).toEqual(['handle-lifetime: building th…']);
    expect(screen(stream.text)[0].length).toBeLessThan(30);
  });

  it('writes nothing when the stream is not a terminal', () => {
    const stream = new FakeStream(false);
    const progress = new Progress(stream);
    progress.show('loading the project');
    progress.count('linting', 1);
    progress.tick();
    progress.clear();
    expect(stream.text).toBe('');
  });
});

describe('the CLI on a terminal', () => {
  const runWith = async (args: string[], isTTY: boolean): Promise<{ status: number; stdout: string; stderr: string }> => {
    const stdout = new FakeStream(false);
    const stderr = new FakeStream(isTTY, 120);
    const status = await run(args, { cwd: exampleDir, stdout: stdout as unknown as NodeJS.WritableStream, stderr: stderr as unknown as NodeJS.WritableStream });
    return { status, stdout: stdout.text, stderr: stderr.text };
  };

  it('shows what it is doing, then leaves stderr blank', async () => {
    const { status, stdout, stderr } = await runWith(['src/heap.ts', 'src/cache.ts'], true);
    expect(status).toBe(1);
    expect(stdout).toContain('src/heap.ts\n');
    for (const phase of ['loading the project…', 'building the TypeScript program…', 'linting 0/2 files', 'linting 2/2 files', 'writing the report…']) {
      expect(stderr).toContain(`\r\u001b[Khandle-lifetime: ${phase}`);
    }
    expect(stderr.endsWith('\r\u001b[K')).toBe(true);
    expect(screen(stderr)).toEqual([]);
  });

  it('erases the progress before an error message', async () => {
    const { status, stderr } = await runWith(['--suppressions', 'missing.json'], true);
    expect(status).toBe(2);
    expect(stderr).toContain('handle-lifetime: loading the project…');
    expect(screen(stderr)).toEqual(['handle-lifetime: cannot find the suppressions file missing.json']);
  });

  it('finds the same in a second run in one process, also where CI=true (typescript-eslint would take it for a fix pass)', async () => {
    const ci = process.env.CI;
    process.env.CI = 'true';
    try {
      for (let run = 0; run < 2; run++) {
        const { status, stdout } = await runWith(['src/heap.ts'], false);
        expect(stdout).toContain('handle-lifetime/no-use-after-release');
        expect(status).toBe(1);
      }
    } finally {
      if (ci === undefined) delete process.env.CI;
      else process.env.CI = ci;
    }
  });

  it('writes nothing to stderr when it is not a terminal (CI, a pipe)', async () => {
    const { status, stderr } = await runWith(['src/heap.ts'], false);
    expect(status).toBe(1);
    expect(stderr).toBe('');
  });
});
