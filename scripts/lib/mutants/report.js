/**
 * The benchmark's printed results: detection per kind per code base and in
 * total, the misses with their causes, and the plugin's reports on the
 * unmutated code for triage.
 */
import { formatTable } from '../lint-corpus.js';
import { KINDS } from './mutate.js';

export const TARGETS = { drop: 70, dup: 90, uaf: 85 };

/** Totals of several code bases' tallies, in the shape of one. */
export function totalOf(results) {
  const total = { name: 'total', sites: [], mutants: Object.fromEntries(KINDS.map((kind) => [kind, { generated: 0, detected: 0, equivalent: 0, skipped: {} }])) };
  for (const result of results) {
    total.sites.push(...result.sites);
    for (const kind of KINDS) {
      const from = result.mutants[kind];
      const to = total.mutants[kind];
      to.generated += from.generated;
      to.detected += from.detected;
      to.equivalent += from.equivalent;
      for (const [reason, count] of Object.entries(from.skipped)) to.skipped[reason] = (to.skipped[reason] ?? 0) + count;
    }
  }
  return total;
}

export function percent(detected, generated) {
  return generated === 0 ? '-' : `${((100 * detected) / generated).toFixed(1)}%`;
}

function detectionCell(tally) {
  return `${tally.detected}/${tally.generated} (${percent(tally.detected, tally.generated)})`;
}

export function detectionTable(results) {
  const rows = [...results, totalOf(results)].map((result) => [
    result.name,
    result.sites.length,
    ...KINDS.map((kind) => detectionCell(result.mutants[kind])),
    KINDS.map((kind) => result.mutants[kind].equivalent).join('/'),
    Object.values(result.mutants.uaf.skipped).reduce((sum, count) => sum + count, 0),
  ]);
  const header = ['code base', 'sites', ...KINDS.map((kind) => `${kind} (target ${TARGETS[kind]}%)`), 'equivalent d/d/u', 'uaf not generated'];
  return formatTable(header, rows);
}

export function codebaseTable(results) {
  const rows = results.map((result) => [
    result.name,
    result.packages.join(', '),
    result.api,
    result.files,
    result.sites.length,
    result.platformStatements,
    result.diagnostics.reduce((sum, entry) => sum + entry.count, 0),
    result.unmutatedReports.length,
    result.seconds.toFixed(0),
  ]);
  return formatTable(['code base', 'packages', 'handle API', 'files', 'sites', 'platform objects left out', 'type errors', 'unmutated reports', 'seconds'], rows);
}

/** Miss causes by count, per kind and in total. */
export function causeTable(results) {
  const counts = new Map();
  for (const miss of results.flatMap((result) => result.misses)) {
    const key = miss.cause.replace(/ \(line \d+.*\)$/, ' (elsewhere)');
    const entry = counts.get(key) ?? { drop: 0, dup: 0, uaf: 0 };
    entry[miss.kind]++;
    counts.set(key, entry);
  }
  const rows = [...counts]
    .map(([cause, byKind]) => [cause, ...KINDS.map((kind) => byKind[kind]), KINDS.reduce((sum, kind) => sum + byKind[kind], 0)])
    .sort((a, b) => b[4] - a[4]);
  return formatTable(['cause', ...KINDS, 'total'], rows);
}

export function missLines(results) {
  return results.flatMap((result) => result.misses.map((miss) => `${result.name} ${miss.file}:${miss.line} ${miss.kind}: ${miss.cause} — ${miss.release} (${miss.types.join(', ')})`));
}

export function unmutatedLines(results) {
  return results.flatMap((result) => result.unmutatedReports.map((report) => `${result.name} ${report.file}:${report.line}:${report.column} ${report.ruleId ?? 'fatal'}: ${report.message}`));
}
