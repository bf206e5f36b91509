/**
 * One code base through the benchmark: its program, the plugin's reports on
 * the unmutated files, its release sites, and each site's three mutants
 * linted alone, each against the reports of the original file.
 */
import path from 'node:path';
import { installedVersion, modulesDir, sourceFiles, writeTsconfig } from './codebases.js';
import { causeOfMiss, equivalentReason, expectedRule, siteFacts } from './causes.js';
import { lintFile } from './lint.js';
import { applyMutant, KINDS, mutantsOf, originalOffset } from './mutate.js';
import { createBaseProgram, createMutantProgram, sourceDiagnostics } from './programs.js';
import { findReleaseSites } from './sites.js';

/** `{ limit }` bounds the sites per code base; `progress(text)` is told what runs. */
export function runCodebase(codebase, { limit = Infinity, progress = () => {} } = {}) {
  const started = performance.now();
  progress(`${codebase.name}: building the program`);
  const base = createBaseProgram(writeTsconfig(codebase));
  const files = sourceFiles(codebase);
  const result = {
    name: codebase.name,
    api: codebase.api,
    packages: codebase.packages.map((packageName) => `${packageName}@${installedVersion(packageName)}`),
    files: files.length,
    diagnostics: sourceDiagnostics(base),
    platformStatements: 0,
    sites: [],
    unmutatedReports: [],
    mutants: Object.fromEntries(KINDS.map((kind) => [kind, { generated: 0, detected: 0, equivalent: 0, skipped: {} }])),
    misses: [],
    seconds: 0,
  };

  const baseline = new Map();
  progress(`${codebase.name}: linting ${files.length} unmutated files`);
  for (const file of files) {
    const sourceFile = base.program.getSourceFile(file);
    const messages = lintFile(base.program, file, sourceFile.text).map((message) => withOffset(message, sourceFile));
    baseline.set(file, messages);
    for (const message of messages) result.unmutatedReports.push(reportEntry(file, message));
  }

  const sites = files.flatMap((file) => {
    const found = findReleaseSites(base.program, base.program.getSourceFile(file));
    result.platformStatements += found.platform;
    return found.sites;
  });
  const chosen = sites.slice(0, limit);
  chosen.forEach((site, index) => {
    progress(`${codebase.name}: site ${index + 1}/${chosen.length} ${relativeFile(site.file)}:${site.line}`);
    result.sites.push(runSite(site, base, baseline.get(site.file), result));
  });
  result.seconds = (performance.now() - started) / 1000;
  return result;
}

function runSite(site, base, baselineMessages, result) {
  const sourceFile = base.program.getSourceFile(site.file);
  const facts = { ...siteFacts(site, base.program), leakAlreadyReported: leakReportedBefore(site, sourceFile, baselineMessages) };
  const mutants = mutantsOf(site, sourceFile);
  const entry = { file: relativeFile(site.file), line: site.line, release: site.statement.getText(sourceFile).split('\n')[0], types: facts.typeNames, outcomes: {} };
  for (const kind of KINDS) {
    const mutant = mutants[kind];
    const tally = result.mutants[kind];
    if (mutant.skipped) {
      tally.skipped[mutant.skipped] = (tally.skipped[mutant.skipped] ?? 0) + 1;
      entry.outcomes[kind] = `not generated: ${mutant.skipped}`;
      continue;
    }
    const equivalent = equivalentReason(kind, site, facts, mutant);
    if (equivalent) {
      tally.equivalent++;
      entry.outcomes[kind] = `equivalent: ${equivalent}`;
      continue;
    }
    tally.generated++;
    const outcome = lintMutant(kind, site, mutant, base, baselineMessages);
    if (outcome.detected) {
      tally.detected++;
      entry.outcomes[kind] = 'detected';
    } else {
      const cause = causeOfMiss(kind, site, facts, outcome.newReports, mutant);
      entry.outcomes[kind] = `missed: ${cause}`;
      result.misses.push({ file: entry.file, line: site.line, kind, cause, release: entry.release, types: facts.typeNames, reports: outcome.newReports.map(({ ruleId, line, message }) => ({ ruleId, line, message })) });
    }
  }
  return entry;
}

/** Lints one mutant alone and tells whether the expected report is among the reports the original file did not have. */
function lintMutant(kind, site, mutant, base, baselineMessages) {
  const text = applyMutant(base.program.getSourceFile(site.file).text, mutant);
  const program = createMutantProgram(base, site.file, text);
  const mutatedFile = program.getSourceFile(site.file);
  const known = new Set(baselineMessages.map(messageKey));
  const newReports = lintFile(program, site.file, text)
    .map((message) => withOffset(message, mutatedFile))
    .filter((message) => {
      const original = originalOffset(mutant, message.offset);
      return message.fatal || original === undefined || !known.has(messageKey({ ...message, offset: original }));
    })
    .map((message) => ({ ...message, inExpected: message.offset >= mutant.expected.start && message.offset < mutant.expected.end }));
  const rule = expectedRule(kind);
  const names = site.variables.map((variable) => `\`${variable.name}\``);
  const detected = newReports.some(
    (report) => report.ruleId === rule && report.inExpected && (kind !== 'drop' || names.some((name) => report.message.includes(name))),
  );
  return { detected, newReports };
}

/** Does the unmutated file already have a leak report for the site's variable in its function? */
function leakReportedBefore(site, sourceFile, baselineMessages) {
  const start = site.fn.getStart(sourceFile);
  const names = site.variables.map((variable) => `\`${variable.name}\``);
  return baselineMessages.some(
    (message) => message.ruleId === expectedRule('drop') && message.offset >= start && message.offset < site.fn.end && names.some((name) => message.message.includes(name)),
  );
}

/** The message with its start as an offset into the file (`line`/`column` are 1-based). */
function withOffset(message, sourceFile) {
  if (!(message.line > 0)) return { ...message, offset: 0 };
  const lineStarts = sourceFile.getLineStarts();
  const lineStart = lineStarts[Math.min(message.line, lineStarts.length) - 1];
  return { ...message, offset: Math.min(lineStart + Math.max(0, message.column - 1), sourceFile.text.length) };
}

function messageKey(message) {
  return `${message.ruleId}\0${message.messageId}\0${message.offset}`;
}

function reportEntry(file, message) {
  return { file: relativeFile(file), line: message.line, column: message.column, ruleId: message.ruleId, message: message.message };
}

/** A file as `package/path` under node_modules. */
export function relativeFile(file) {
  return path.relative(modulesDir, file);
}
