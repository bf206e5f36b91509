/**
 * The editor section of `npm run bench`: for each code base
 * (scripts/lib/editor-codebases.js), one process of
 * scripts/lib/editor-worker.js, and the figures of its edits: the median
 * per-edit time of typed parsing alone (the floor), no-floating-promises
 * and the plugin's `recommended`, and the cost ratio
 * (plugin − floor) / (no-floating-promises − floor).
 */
import path from 'node:path';
import { codeBases, ensureEditorInstalled, installedEditorVersion } from './editor-codebases.js';
import { formatTable, median, rootDir, runWorker } from './lint-corpus.js';

const editorWorkerPath = path.join(rootDir, 'scripts', 'lib', 'editor-worker.js');

export const EDITOR_TARGET_RATIO = 1.5;

/** A code base past this is reported as a hang. */
const EDITOR_TIMEOUT_MS = 20 * 60_000;

export const editorCodeBaseNames = codeBases.map((spec) => spec.name);

/** A generator of numbers in [0, 1), the same on every run (the bootstrap's resamples). */
function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The 5th and 95th percentiles of the median over resamples of the values: how far the median would move. */
function bootstrapMedian(values, resamples = 2000) {
  const random = seededRandom(values.length);
  const medians = Array.from({ length: resamples }, () => median(Array.from(values, () => values[Math.floor(random() * values.length)])));
  medians.sort((a, b) => a - b);
  return [medians[Math.floor(resamples * 0.05)], medians[Math.floor(resamples * 0.95)]];
}

/** The figures of one code base from its worker's samples. */
export function summarizeEditorRun(run) {
  const samples = run.samples;
  const of = (kind) => samples.map((sample) => sample[kind].ms);
  const nfpCost = samples.map((sample) => sample.nfp.ms - sample.floor.ms);
  const pluginCost = samples.map((sample) => sample.plugin.ms - sample.floor.ms);
  const pairedRatios = samples.map((_, index) => pluginCost[index] / nfpCost[index]);
  const floorMs = median(of('floor'));
  const nfpMs = median(of('nfp'));
  const pluginMs = median(of('plugin'));
  const pluginRules = {};
  for (const ruleId of Object.keys(samples[0].plugin.rules)) pluginRules[ruleId] = median(samples.map((sample) => sample.plugin.rules[ruleId] ?? 0));
  const editedLines = samples.map((sample) => sample.lines);
  return {
    name: run.name,
    version: installedEditorVersion(run.name),
    handles: run.handles,
    program: run.program,
    editedFiles: new Set(samples.map((sample) => sample.file)).size,
    editedLines: [Math.min(...editedLines), Math.max(...editedLines)],
    edits: samples.length,
    openMs: run.openMs,
    firstNfpMs: run.first.nfp,
    firstPluginMs: run.first.plugin,
    floorMs,
    nfpMs,
    pluginMs,
    nfpCostMs: median(nfpCost),
    pluginCostMs: median(pluginCost),
    pairedRatio: median(pairedRatios),
    pairedRatioRange: bootstrapMedian(pairedRatios),
    ratioOfMedians: (pluginMs - floorMs) / (nfpMs - floorMs),
    // A pair where no-floating-promises took less than parsing alone: the noise the denominator carries.
    nfpBelowFloor: nfpCost.filter((cost) => cost <= 0).length,
    pluginRules,
    pluginReports: samples.filter((sample) => sample.edit === 0).reduce((sum, sample) => sum + sample.plugin.reports, 0),
    nfpReports: samples.filter((sample) => sample.edit === 0).reduce((sum, sample) => sum + sample.nfp.reports, 0),
    seconds: Math.round(run.loopMs / 1000),
    maxRssMb: run.maxRssMb,
  };
}

export function benchEditor(names, { files, edits }, log) {
  ensureEditorInstalled();
  return names.map((name) => {
    log(`editor: ${name} (${files} files × ${edits} edits × 3 configurations) …`);
    const run = runWorker(['--code-base', name, '--files', String(files), '--edits', String(edits)], { timeoutMs: EDITOR_TIMEOUT_MS, worker: editorWorkerPath });
    return summarizeEditorRun(run);
  });
}

const round = (value, digits = 0) => (value === null || value === undefined || Number.isNaN(value) ? '-' : Number(value.toFixed(digits)));

export function printEditor(rows) {
  const header = [
    'code base',
    'handles',
    'program files',
    'edited (lines)',
    'edits',
    'open ms',
    'first nfp ms',
    'first plugin ms',
    'floor ms',
    'nfp ms',
    'plugin ms',
    'nfp − floor',
    'plugin − floor',
    'paired ratio (90%)',
    'ratio of medians',
    'reports',
  ];
  const body = rows.map((row) => [
    `${row.name}@${row.version}`,
    row.handles ?? 'none',
    row.program.files,
    `${row.editedFiles} (${row.editedLines[0]}–${row.editedLines[1]})`,
    row.edits,
    round(row.openMs),
    round(row.firstNfpMs),
    round(row.firstPluginMs),
    round(row.floorMs),
    round(row.nfpMs),
    round(row.pluginMs),
    round(row.nfpCostMs, 1),
    round(row.pluginCostMs, 1),
    `${round(row.pairedRatio, 2)} (${round(row.pairedRatioRange[0], 2)}–${round(row.pairedRatioRange[1], 2)})`,
    round(row.ratioOfMedians, 2),
    row.pluginReports,
  ]);
  console.log('\n## Editor: per-edit lint time on a project kept open (projectService), median ms\n');
  console.log(formatTable(header, body));
  console.log(
    '\nfloor: typed parsing alone (no rules); nfp: no-floating-promises alone; plugin: the recommended config. Each edit appends a comment and each configuration lints its own new text (a new program), in rotating order.' +
      '\npaired ratio: median over the edits of (plugin − floor) / (nfp − floor), with the 5th–95th percentiles of that median over bootstrap resamples; ratio of medians: (plugin − floor) / (nfp − floor) of the medians.' +
      '\nopen: the first lint after opening the project (the whole program is built); first nfp / first plugin: the first lint of each rule set after it.',
  );
  console.log('\nPlugin rule time per edit (median ms; the first rule that asks for a shared analysis pays for it):');
  for (const row of rows) {
    const rules = Object.entries(row.pluginRules)
      .filter(([, ms]) => ms >= 0.5)
      .sort(([, a], [, b]) => b - a)
      .map(([ruleId, ms]) => `${ruleId.replace('handle-lifetime/', '')} ${round(ms)}`);
    const noisy = row.nfpBelowFloor > 0 ? `; nfp under the floor in ${row.nfpBelowFloor} of ${row.edits} edits` : '';
    console.log(`  ${row.name}: ${rules.join(', ') || '-'} (${row.seconds} s${noisy})`);
  }
}

/** The editor target: each code base's paired ratio. */
export function editorTarget(rows) {
  const over = rows.filter((row) => !(row.pairedRatio <= EDITOR_TARGET_RATIO));
  return {
    target: `editor: per edit, plugin − floor ≤ ${EDITOR_TARGET_RATIO}× (no-floating-promises − floor), every code base`,
    measured: rows.map((row) => `${row.name} ${round(row.pairedRatio, 2)}×`).join(', '),
    met: over.length === 0,
  };
}
