import fs from 'node:fs';
import path from 'node:path';

/** The nearest directory at or above `from` with a `.git` entry; `from` itself when there is none. */
export function repositoryRoot(from: string): string {
  const start = path.resolve(from);
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, '.git'))) return dir;
    if (path.dirname(dir) === dir) return start;
  }
}
