/**
 * The HTML report: one self-contained page (nothing loaded from anywhere)
 * with a summary by rule and by file, and each finding with the source
 * around its path, every step numbered and marked on its line, the rule's
 * docs link and its fix or suggestions as a diff. The same input gives the
 * same bytes: no timestamps, no absolute paths.
 */
import path from 'node:path';
import type { ESLint, Linter, Rule } from 'eslint';
import { sourceTextOf, splitLines } from '../sarif/source-text.js';
import type { TraceSite } from '../sarif/trace.js';
import { stepKindOf } from '../sarif/trace.js';
import { fixHunks } from './html/fix-diff.js';
import { unifiedDiffText } from './html/line-diff.js';
import type { Markup } from './html/markup.js';
import { html, plural, trusted, withCode } from './html/markup.js';
import { pageScript, pageStyle } from './html/page-assets.js';
import type { NumberedStep } from './html/source-excerpt.js';
import { lineAnchor, renderExcerpt } from './html/source-excerpt.js';

export interface HtmlFormatOptions {
  /** Paths are shown relative to it. */
  readonly cwd: string;
  readonly traceOf?: (filePath: string, message: Linter.LintMessage) => readonly TraceSite[] | undefined;
  /** For each rule's docs link (`meta.docs.url`). */
  readonly rulesMeta?: Readonly<Record<string, Rule.RuleMetaData | undefined>>;
  readonly toolVersion: string;
  /** What ran, for the header: `strict preset`, `the project's ESLint config`. */
  readonly configuration?: string;
}

/** Findings without a rule (parse errors) are filed under this name. */
const PARSE_ERROR = 'parse error';

interface Finding {
  readonly id: string;
  readonly file: string;
  readonly rule: string;
  readonly message: Linter.LintMessage;
  readonly trace: readonly TraceSite[];
}

interface FileReport {
  readonly id: string;
  readonly path: string;
  readonly source: string;
  readonly findings: readonly Finding[];
}

export function formatHtml(results: readonly ESLint.LintResult[], options: HtmlFormatOptions): string {
  const files = fileReports(results, options);
  const findings = files.flatMap((file) => file.findings);
  const title = findings.length === 0 ? 'handle-lifetime report: no problems' : `handle-lifetime report: ${plural(findings.length, 'problem')}`;
  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${trusted(pageStyle)}</style>
</head>
<body>
<a class="skip" href="#findings">Skip to the findings</a>
<header>
<h1>handle-lifetime report</h1>
${totalsLine(files, findings, results.length)}
<p class="meta">handle-lifetime ${options.toolVersion}${options.configuration ? `, ${options.configuration}` : ''}</p>
</header>
${findings.length > 0 && summary(files, findings, options)}
<main id="findings">
${findings.length > 0 && filterForm(files, findings)}
${files.map((file) => fileSection(file, options))}
</main>
<script>${trusted(pageScript)}</script>
</body>
</html>
`;
  return page.text;
}

function fileReports(results: readonly ESLint.LintResult[], options: HtmlFormatOptions): FileReport[] {
  const ids = new UniqueIds();
  return results
    .filter((result) => result.messages.length > 0)
    .map((result) => ({ result, path: displayPath(result.filePath, options.cwd) }))
    .sort((a, b) => compareText(a.path, b.path))
    .map(({ result, path: file }) => ({
      id: ids.take(`file:${file}`),
      path: file,
      source: sourceTextOf(result),
      findings: [...result.messages]
        .sort((a, b) => a.line - b.line || a.column - b.column)
        .map((message) => ({
          id: ids.take(`${file}:${message.line}:${message.column}`),
          file,
          rule: message.ruleId ?? PARSE_ERROR,
          message,
          // The evidence of an inferred handle (places in other functions, other files) stays in the message's words.
          trace: (options.traceOf?.(result.filePath, message) ?? []).filter((site) => !site.evidence),
        })),
    }));
}

function totalsLine(files: readonly FileReport[], findings: readonly Finding[], checked: number): Markup {
  if (findings.length === 0) return html`<p class="totals">No handle lifetime problems in ${plural(checked, 'file')}.</p>`;
  const errors = findings.filter((finding) => finding.message.severity === 2).length;
  const warnings = findings.length - errors;
  return html`<p class="totals">${plural(findings.length, 'problem')} (${plural(errors, 'error')}, ${plural(warnings, 'warning')}) in ${files.length} of ${plural(checked, 'file')} checked.</p>`;
}

function summary(files: readonly FileReport[], findings: readonly Finding[], options: HtmlFormatOptions): Markup {
  const rules = [...new Set(findings.map((finding) => finding.rule))].sort(compareText);
  const counts = (of: readonly Finding[]): Markup => {
    const errors = of.filter((finding) => finding.message.severity === 2).length;
    return html`<td class="n">${errors}</td><td class="n">${of.length - errors}</td>`;
  };
  return html`<nav aria-labelledby="summary-heading">
<h2 id="summary-heading">Summary</h2>
<div class="summary">
<table>
<caption>By rule</caption>
<thead><tr><th scope="col">Rule</th><th scope="col">Errors</th><th scope="col">Warnings</th></tr></thead>
<tbody>
${rules.map(
  (rule) => html`<tr><th scope="row">${ruleLink(rule, options)}</th>${counts(findings.filter((finding) => finding.rule === rule))}</tr>
`,
)}</tbody>
</table>
<table>
<caption>By file</caption>
<thead><tr><th scope="col">File</th><th scope="col">Errors</th><th scope="col">Warnings</th></tr></thead>
<tbody>
${files.map(
  (file) => html`<tr><th scope="row"><a href="#${file.id}">${file.path}</a></th>${counts(file.findings)}</tr>
`,
)}</tbody>
</table>
</div>
</nav>
`;
}

/** Shown by the page's script; without scripts everything stays listed. */
function filterForm(files: readonly FileReport[], findings: readonly Finding[]): Markup {
  const rules = [...new Set(findings.map((finding) => finding.rule))].sort(compareText);
  const option = (value: string, count: number): Markup => html`<option value="${value}">${value} (${count})</option>`;
  return html`<form id="filter" class="filter" aria-label="Filter the findings" hidden>
<label>Rule <select name="rule"><option value="">all rules (${findings.length})</option>${rules.map((rule) =>
    option(rule, findings.filter((finding) => finding.rule === rule).length),
  )}</select></label>
<label>File <select name="file"><option value="">all files (${files.length})</option>${files.map((file) => option(file.path, file.findings.length))}</select></label>
<output aria-live="polite"></output>
<button type="button" data-open>Expand all</button> <button type="button" data-close>Collapse all</button>
</form>
`;
}

function fileSection(file: FileReport, options: HtmlFormatOptions): Markup {
  const lines = splitLines(file.source);
  return html`<details class="file" open id="${file.id}" data-file="${file.path}">
<summary><h2>${file.path}</h2> <span class="count">${plural(file.findings.length, 'problem')}</span></summary>
${file.findings.map((finding) => findingArticle(finding, file, lines, options))}</details>
`;
}

function findingArticle(finding: Finding, file: FileReport, lines: readonly string[], options: HtmlFormatOptions): Markup {
  const { message } = finding;
  const severity = message.severity === 2 ? 'error' : 'warning';
  const steps: NumberedStep[] = finding.trace.map((site, index) => ({ ...site, number: index + 1, kind: stepKindOf(site.label) }));
  const anchorPrefix = `${finding.id}:`;
  const path =
    steps.length > 0 &&
    html`<ol class="path" aria-label="Path of the handle">${steps.map(
      (step) =>
        html`<li class="k-${step.kind}"><a href="#${lineAnchor(anchorPrefix, step.line)}"><span class="badge">${step.number}</span> <span class="label">${step.label}</span> <span class="where">${step.line}${step.column === undefined ? '' : `:${step.column}`}</span></a></li>`,
    )}</ol>`;
  return html`<article class="finding sev-${severity}" id="${finding.id}" data-rule="${finding.rule}" data-file="${finding.file}">
<details open>
<summary><h3><span class="where">${message.line}:${message.column}</span> <span class="sev">${severity}</span> ${withCode(message.message)}</h3></summary>
<p class="rule">${ruleLink(finding.rule, options)} · <a href="#${finding.id}">link to this finding</a></p>
${path}
${renderExcerpt({ lines, steps, reported: message, anchorPrefix })}
${fixSections(message, file)}
</details>
</article>
`;
}

function ruleLink(rule: string, options: HtmlFormatOptions): Markup {
  const url = options.rulesMeta?.[rule]?.docs?.url;
  return url ? html`<a href="${url}">${rule}</a>` : html`<span>${rule}</span>`;
}

/** The autofix and each suggestion, as a unified diff of the lines they change. */
function fixSections(message: Linter.LintMessage, file: FileReport): Markup[] {
  const fixes: { title: Markup; fix: Rule.Fix }[] = (message.suggestions ?? []).map((suggestion) => ({
    title: html`Suggestion: ${withCode(suggestion.desc)}`,
    fix: suggestion.fix,
  }));
  if (message.fix) fixes.unshift({ title: html`Autofix (<code>--fix</code> applies it)`, fix: message.fix });
  return fixes.map(({ title, fix }) => {
    const hunks = fixHunks(file.source, fix);
    if (hunks.length === 0) return html``;
    return html`<section class="fix">
<h4>${title}</h4>
<pre class="diff"><code><span class="file-header">--- a/${file.path}</span><span class="file-header">+++ b/${file.path}</span>${unifiedDiffText(hunks).map(
      (line) => html`<span class="${diffLineClass(line)}">${line}</span>`,
    )}</code></pre>
</section>
`;
  });
}

function diffLineClass(line: string): string {
  if (line.startsWith('@@')) return 'hunk';
  return line[0] === '+' ? 'added' : line[0] === '-' ? 'removed' : 'context';
}

/** Relative to `cwd` with `/` separators: the report names no absolute path of the machine that made it. */
function displayPath(filePath: string, cwd: string): string {
  const relative = path.relative(cwd, filePath);
  return (relative || path.basename(filePath)).split(path.sep).join('/');
}

/** By code unit, not locale: the same order on every machine. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Element ids from readable keys (`src/heap.ts:24:33`): no whitespace, never repeated. */
class UniqueIds {
  private readonly taken = new Set<string>();

  take(key: string): string {
    const base = key.replace(/\s/g, '_');
    let id = base;
    for (let suffix = 2; this.taken.has(id); suffix++) id = `${base}~${suffix}`;
    this.taken.add(id);
    return id;
  }
}
