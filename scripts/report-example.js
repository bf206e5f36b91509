#!/usr/bin/env node
/**
 * Writes docs/report-example.html: `handle-lifetime --config strict --format
 * html` on examples/wasm-image, the page docs/cli.md shows.
 *
 *   npm run report:example                 write it
 *   node scripts/report-example.js --check exit 1 if the committed page is not what the CLI writes now (npm test runs this)
 *   npm run report:example -- --screenshot also write docs/report-example.png with a headless Chromium
 *
 * Needs dist/ (`npm run report:example` builds first).
 */
import { spawnSync } from 'node:child_process';
import console from 'node:console';
import fs from 'node:fs';
import process from 'node:process';
import { Writable } from 'node:stream';
import { fileURLToPath, URL } from 'node:url';
import { run } from '../dist/cli/main.js';

const exampleDir = fileURLToPath(new URL('../examples/wasm-image/', import.meta.url));
const reportFile = fileURLToPath(new URL('../docs/report-example.html', import.meta.url));
const screenshotFile = fileURLToPath(new URL('../docs/report-example.png', import.meta.url));
const chromium = process.env.CHROMIUM ?? '/usr/bin/chromium';

let report = '';
const stdout = new Writable({
  write(chunk, _encoding, done) {
    report += chunk;
    done();
  },
});
// Exit status 1 is the example's planted bugs; 2 is a failure to run.
const status = await run(['--config', 'strict', '--format', 'html'], { cwd: exampleDir, stdout, stderr: process.stderr });
if (status === 2) process.exit(2);

if (process.argv.includes('--check')) {
  const committed = fs.existsSync(reportFile) ? fs.readFileSync(reportFile, 'utf8') : '';
  if (committed !== report) {
    console.error('docs/report-example.html is not what `handle-lifetime --format html` writes now: run `npm run report:example`.');
    process.exit(1);
  }
  console.log('docs/report-example.html is up to date.');
} else {
  fs.writeFileSync(reportFile, report);
  console.log('wrote docs/report-example.html');
}

if (process.argv.includes('--screenshot')) {
  // The top of the page: the summary, the first findings with their paths, a suggestion as a diff.
  const shot = spawnSync(
    chromium,
    ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--window-size=1100,2000', `--screenshot=${screenshotFile}`, `file://${reportFile}`],
    { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' },
  );
  if (shot.status !== 0) {
    console.error(`${chromium} failed (install it with \`apt-get install -y chromium\`, or set CHROMIUM):\n${shot.stderr ?? shot.error}`);
    process.exit(1);
  }
  console.log('wrote docs/report-example.png');
}
