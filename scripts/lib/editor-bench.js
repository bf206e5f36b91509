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

/**
 * The 5th and 95th percentiles of a statistic over resamples of the edits
 * (with replacement, within each file: the files stay the same): how far the
 * figure would move on another run of as many edits.
 */
function bootstrap(groups, statistic, resamples = 2000) {
  const random = seededRandom(groups.reduce((sum, group) => sum + group.length, 0));
  const values = Array.from({ length: resamples }, () => statistic(groups.map((group) => Array.from(group, () => group[Math.floor(random() * group.length)]))));
  values.sort((a, b) => a - b);
  return [values[Math.floor(resamples * 0.05)], values[Math.floor(resamples * 0.95)]];
}

/** a / b, or Infinity where b is not above 0 (the denominator lost in the noise). */
const ratio = (a, b) => (b > 0 ? a / b : Infinity);

const ruleTime = (lint) => Object.values(lint.rules).reduce((sum, ms) => sum + ms, 0);

/** Per edit: what no-floating-promises and the plugin cost over parsing alone (processor ms), and their rule times. */
function costsOf(sample) {
  return {
    nfp: sample.nfp.cpuMs - sample.floor.cpuMs,
    plugin: sample.plugin.cpuMs - sample.floor.cpuMs,
    nfpRules: ruleTime(sample.nfp),
    pluginRules: ruleTime(sample.plugin),
  };
}

/**
 * The mean over files of each file's median cost per edit. A file's edits
 * vary by GC and load; files differ by a hundredfold (nfp asks nothing of a
 * file without calls), so a median over all edits would be whichever file
 * sits in the middle.
 */
function meanOfFileMedians(groups, key) {
  return groups.reduce((sum, group) => sum + median(group.map((costs) => costs[key])), 0) / groups.length;
}

/**
 * The figures of one code base from its worker's samples. Costs are
 * processor time (the machine is shared: wall time waits for other
 * processes), paired per edit: (configuration − floor) on the same file and
 * edit. The cost ratio is (plugin − floor) / (nfp − floor) of the means
 * over files of each file's median; the median of the per-edit ratios is
 * shown beside it, but where no-floating-promises costs next to nothing its
 * denominator is mostly noise (and negative in many edits).
 */
export function summarizeEditorRun(run) {
  return (run.editKinds ?? ['append']).map((editKind) => summarizeEdits(run, editKind));
}

function summarizeEdits(run, editKind) {
  const samples = run.samples.filter((sample) => (sample.editKind ?? 'append') === editKind);
  const byFile = new Map();
  for (const sample of samples) {
    if (!byFile.has(sample.file)) byFile.set(sample.file, []);
    byFile.get(sample.file).push(costsOf(sample));
  }
  const groups = [...byFile.values()];
  const costRatio = (of) => ratio(meanOfFileMedians(of, 'plugin'), meanOfFileMedians(of, 'nfp'));
  const ruleRatio = (of) => ratio(meanOfFileMedians(of, 'pluginRules'), meanOfFileMedians(of, 'nfpRules'));
  const costs = samples.map(costsOf);
  const pluginRules = {};
  for (const ruleId of Object.keys(samples[0].plugin.rules)) pluginRules[ruleId] = median(samples.map((sample) => sample.plugin.rules[ruleId] ?? 0));
  const editedLines = samples.map((sample) => sample.lines);
  const medians = (clock) => ({
    floor: median(samples.map((sample) => sample.floor[clock])),
    nfp: median(samples.map((sample) => sample.nfp[clock])),
    plugin: median(samples.map((sample) => sample.plugin[clock])),
  });
  const cpuMedians = medians('cpuMs');
  const wallMedians = medians('ms');
  const wallGroups = [...byFile.keys()].map((file) =>
    samples.filter((sample) => sample.file === file).map((sample) => ({ nfp: sample.nfp.ms - sample.floor.ms, plugin: sample.plugin.ms - sample.floor.ms })),
  );
  // Per file: where the cost of an edit sits (the whole program's share shows on the smallest files).
  const files = [...byFile].map(([file, fileCosts]) => ({
    file,
    lines: samples.find((sample) => sample.file === file).lines,
    floorMs: median(samples.filter((sample) => sample.file === file).map((sample) => sample.floor.cpuMs)),
    nfpCostMs: median(fileCosts.map((cost) => cost.nfp)),
    pluginCostMs: median(fileCosts.map((cost) => cost.plugin)),
    nfpRuleMs: median(fileCosts.map((cost) => cost.nfpRules)),
    pluginRuleMs: median(fileCosts.map((cost) => cost.pluginRules)),
  }));
  return {
    name: run.name,
    editKind,
    version: installedEditorVersion(run.name),
    handles: run.handles,
    program: run.program,
    editedFiles: groups.length,
    editedLines: [Math.min(...editedLines), Math.max(...editedLines)],
    edits: samples.length,
    openMs: run.openMs,
    firstNfpMs: run.first.nfp,
    firstPluginMs: run.first.plugin,
    cpuMs: cpuMedians,
    wallMs: wallMedians,
    nfpCostMs: meanOfFileMedians(groups, 'nfp'),
    pluginCostMs: meanOfFileMedians(groups, 'plugin'),
    costRatio: costRatio(groups),
    costRatioRange: bootstrap(groups, costRatio),
    perEditRatio: median(costs.map((cost) => cost.plugin / cost.nfp)),
    // An edit where no-floating-promises took less than parsing alone: the noise the denominator carries.
    nfpBelowFloor: costs.filter((cost) => cost.nfp <= 0).length,
    ratioOfMedians: ratio(cpuMedians.plugin - cpuMedians.floor, cpuMedians.nfp - cpuMedians.floor),
    wallCostRatio: costRatio(wallGroups),
    // ESLint's own rule times (wall clock, parsing left out): never below zero.
    nfpRuleMs: meanOfFileMedians(groups, 'nfpRules'),
    pluginRuleMs: meanOfFileMedians(groups, 'pluginRules'),
    ruleRatio: ruleRatio(groups),
    ruleRatioRange: bootstrap(groups, ruleRatio),
    pluginRules,
    pluginReports: samples.filter((sample) => sample.edit === 0).reduce((sum, sample) => sum + sample.plugin.reports, 0),
    nfpReports: samples.filter((sample) => sample.edit === 0).reduce((sum, sample) => sum + sample.nfp.reports, 0),
    files,
    seconds: Math.round(run.loopMs / 1000),
    maxRssMb: run.maxRssMb,
  };
}

/** One row per code base and kind of edit (the worker's `body` and `append`). */
export function benchEditor(names, { files, edits }, log) {
  ensureEditorInstalled();
  return names.flatMap((name) => {
    log(`editor: ${name} (${files} files × ${edits} edits × 2 kinds × 3 configurations) …`);
    const run = runWorker(['--code-base', name, '--files', String(files), '--edits', String(edits)], { timeoutMs: EDITOR_TIMEOUT_MS, worker: editorWorkerPath });
    return summarizeEditorRun(run);
  });
}

const round = (value, digits = 0) => (value === null || value === undefined || Number.isNaN(value) ? '-' : value === Infinity ? '∞' : Number(value.toFixed(digits)));

const withRange = (value, [low, high]) => `${round(value, 2)} (${round(low, 2)}–${round(high, 2)})`;

export function printEditor(rows) {
  const header = [
    'code base',
    'edit',
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
    'cost ratio (90%)',
    'per-edit ratio',
    'ratio of medians',
    'rule-time ratio (90%)',
    'reports',
  ];
  const body = rows.map((row) => [
    `${row.name}@${row.version}`,
    row.editKind,
    row.handles ?? 'none',
    row.program.files,
    `${row.editedFiles} (${row.editedLines[0]}–${row.editedLines[1]})`,
    row.edits,
    round(row.openMs),
    round(row.firstNfpMs),
    round(row.firstPluginMs),
    round(row.cpuMs.floor),
    round(row.cpuMs.nfp),
    round(row.cpuMs.plugin),
    round(row.nfpCostMs, 1),
    round(row.pluginCostMs, 1),
    withRange(row.costRatio, row.costRatioRange),
    `${round(row.perEditRatio, 2)} (${row.nfpBelowFloor} ≤ 0)`,
    round(row.ratioOfMedians, 2),
    withRange(row.ruleRatio, row.ruleRatioRange),
    row.pluginReports,
  ]);
  console.log('\n## Editor: per-edit lint time on a project kept open (projectService), median processor ms\n');
  console.log(formatTable(header, body));
  console.log(
    [
      '',
      'floor: typed parsing alone (no rules); nfp: no-floating-promises alone; plugin: the recommended config. edit: body inserts a statement at the',
      'start of the function nearest the middle of the file (the target\'s edit); append appends a comment (no function changes). Each',
      'configuration lints its own new text (a new program), in an order that rotates per edit. Times are the process\'s processor time per lint.',
      'nfp − floor, plugin − floor: per edit, the differences on the same file and edit, each file\'s median, averaged over the files.',
      'cost ratio: (plugin − floor) / (nfp − floor) of those, with the 5th–95th percentiles over bootstrap resamples of each file\'s edits',
      '(∞: the denominator reached 0). per-edit ratio: the median of each edit\'s own ratio, with the count of edits where nfp took no more',
      'than the floor. ratio of medians: of the three medians. rule-time ratio: the same as the cost ratio on ESLint\'s rule times (wall clock,',
      'parsing left out). open: the first lint after opening the project (the whole program is built); first nfp / first plugin: the first',
      'lint of each rule set after it (wall ms).',
    ].join('\n'),
  );
  console.log('\nPer code base: wall-clock medians, the plugin\'s rule times (the first rule that asks for a shared analysis pays for it), run time:');
  for (const row of rows) {
    const rules = Object.entries(row.pluginRules)
      .filter(([, ms]) => ms >= 0.5)
      .sort(([, a], [, b]) => b - a)
      .map(([ruleId, ms]) => `${ruleId.replace('handle-lifetime/', '')} ${round(ms)}`);
    console.log(
      `  ${row.name} (${row.editKind}): wall floor ${round(row.wallMs.floor)}, nfp ${round(row.wallMs.nfp)}, plugin ${round(row.wallMs.plugin)} ms (cost ratio ${round(row.wallCostRatio, 2)}); ` +
        `rules: nfp ${round(row.nfpRuleMs, 1)}, plugin ${round(row.pluginRuleMs, 1)} (${rules.join(', ') || '-'}); ${row.seconds} s`,
    );
  }
}

/** The editor target: each code base's cost ratio on edits inside a function (an appended comment changes no function: shown, not the target). */
export function editorTarget(allRows) {
  const rows = allRows.filter((row) => row.editKind === 'body');
  const over = rows.filter((row) => !(row.costRatio <= EDITOR_TARGET_RATIO));
  return {
    target: `editor: per edit in a function body, plugin − floor ≤ ${EDITOR_TARGET_RATIO}× (no-floating-promises − floor), every code base`,
    measured: rows.map((row) => `${row.name} ${round(row.costRatio, 2)}× (${round(row.costRatioRange[0], 2)}–${round(row.costRatioRange[1], 2)})`).join(', '),
    met: over.length === 0,
  };
}
