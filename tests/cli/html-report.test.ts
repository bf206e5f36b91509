// `handle-lifetime --format html` on examples/wasm-image, read back through a real
// HTML parser: structure, every trace step numbered on its line, escaped source,
// fixes as diffs, nothing loaded from outside the page, the committed example current.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Element, ParsedPage } from './html-dom.js';
import { attr, byClass, byId, byTag, childElements, elements, hasClass, parsePage, textOf } from './html-dom.js';
import { copyOfExample, ensureBuilt, exampleDir, root, runCli } from './harness.js';

beforeAll(ensureBuilt);

interface JsonMessage {
  ruleId: string;
  line: number;
  column: number;
  message: string;
  severity: number;
  suggestions?: { desc: string; fix: { range: [number, number]; text: string } }[];
  trace: { label: string; line: number; column: number }[];
}
interface JsonResult {
  filePath: string;
  messages: JsonMessage[];
}

const docsUrl = (ruleId: string): RegExp => new RegExp(`^https://github\\.com/.+/docs/rules/${ruleId.replace('handle-lifetime/', '')}\\.md$`);
/** The code of a line as the page shows it, without the step numbers set into it. */
const codeText = (row: Element): string => textOf(byTag(row, 'code')[0], (element) => hasClass(element, 'badge'));
const sourceLines = (file: string): string[] => fs.readFileSync(file, 'utf8').split('\n');

/** Applies a unified diff's hunks to the lines of a file. */
function applyDiff(lines: readonly string[], diff: readonly string[]): string[] {
  const result = [...lines];
  let shift = 0;
  for (let index = 0; index < diff.length; index++) {
    const header = /^@@ -(\d+),(\d+) \+\d+,\d+ @@$/.exec(diff[index]);
    if (!header) continue;
    const body: string[] = [];
    while (index + 1 < diff.length && !diff[index + 1].startsWith('@@')) body.push(diff[++index]);
    const removed = body.filter((line) => !line.startsWith('+')).map((line) => line.slice(1));
    const added = body.filter((line) => !line.startsWith('-')).map((line) => line.slice(1));
    const at = Number(header[1]) - 1 + shift;
    expect(result.slice(at, at + removed.length)).toEqual(removed);
    result.splice(at, removed.length, ...added);
    shift += added.length - removed.length;
  }
  return result;
}

describe('the HTML report of examples/wasm-image', () => {
  let text: string;
  let page: ParsedPage;
  let json: JsonResult[];
  let findings: (JsonMessage & { file: string; absolute: string })[];

  beforeAll(() => {
    const run = runCli(['--config', 'strict', '--format', 'html']);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('');
    text = run.stdout;
    page = parsePage(text);
    json = JSON.parse(runCli(['--config', 'strict', '--format', 'json']).stdout) as JsonResult[];
    findings = json.flatMap((result) =>
      result.messages.map((message) => ({ ...message, file: path.relative(exampleDir, result.filePath), absolute: result.filePath })),
    );
    expect(findings.length).toBeGreaterThanOrEqual(11);
  });

  it('is well-formed HTML5 with a title, one h1, landmarks and a heading per file and finding', () => {
    expect(page.errors).toEqual([]);
    expect(text.startsWith('<!doctype html>\n')).toBe(true);
    const htmlElement = byTag(page.document, 'html')[0];
    expect(attr(htmlElement, 'lang')).toBe('en');
    expect(byTag(page.document, 'meta').some((meta) => attr(meta, 'charset') === 'utf-8')).toBe(true);
    expect(textOf(byTag(page.document, 'title')[0])).toBe(`handle-lifetime report: ${findings.length} problems`);
    expect(byTag(page.document, 'h1').map((h1) => textOf(h1))).toEqual(['handle-lifetime report']);
    for (const landmark of ['header', 'nav', 'main']) expect(byTag(page.document, landmark), landmark).toHaveLength(1);
    expect(textOf(byClass(page.document, 'totals')[0])).toBe(`${findings.length} problems (${findings.length} errors, 0 warnings) in 3 of 5 files checked.`);

    const fileSections = byClass(page.document, 'file');
    expect(fileSections.map((section) => textOf(byTag(section, 'h2')[0]))).toEqual(['src/heap.ts', 'src/image.ts', 'src/pipeline.ts']);
    for (const section of fileSections) {
      const summary = childElements(section)[0];
      expect(summary.tagName).toBe('summary');
      expect(childElements(summary)[0].tagName).toBe('h2');
      for (const article of byTag(section, 'article')) {
        const details = childElements(article)[0];
        expect(details.tagName).toBe('details');
        expect(byTag(childElements(details)[0], 'h3')).toHaveLength(1);
      }
    }
  });

  it('summarises by rule (with its docs link) and by file (with a link to its section)', () => {
    const [byRule, byFile] = byTag(byTag(page.document, 'nav')[0], 'table');
    const rows = (table: Element): Element[] => byTag(byTag(table, 'tbody')[0], 'tr');
    const ruleIds = [...new Set(findings.map((finding) => finding.ruleId))].sort();
    expect(rows(byRule).map((row) => textOf(byTag(row, 'th')[0]))).toEqual(ruleIds);
    for (const row of rows(byRule)) {
      const ruleId = textOf(byTag(row, 'th')[0]);
      expect(attr(byTag(row, 'a')[0], 'href')).toMatch(docsUrl(ruleId));
      const errors = findings.filter((finding) => finding.ruleId === ruleId).length;
      expect(byTag(row, 'td').map((cell) => textOf(cell))).toEqual([String(errors), '0']);
    }
    for (const row of rows(byFile)) {
      const link = byTag(row, 'a')[0];
      const target = byId(page.document, attr(link, 'href')!.slice(1));
      expect(target && hasClass(target, 'file')).toBe(true);
      expect(textOf(byTag(target!, 'h2')[0])).toBe(textOf(link));
      expect(byTag(row, 'td').map((cell) => textOf(cell))[0]).toBe(String(findings.filter((finding) => finding.file === textOf(link)).length));
    }
  });

  it('shows each finding with its message, rule link, and every step numbered and marked on its line', () => {
    const articles = byTag(page.document, 'article');
    expect(articles).toHaveLength(findings.length);
    for (const finding of findings) {
      const where = `${finding.file}:${finding.line}:${finding.column}`;
      const article = byId(page.document, where)!;
      expect(article, where).toBeDefined();
      expect(attr(article, 'data-rule')).toBe(finding.ruleId);
      expect(attr(article, 'data-file')).toBe(finding.file);
      expect(textOf(byTag(article, 'h3')[0])).toBe(`${finding.line}:${finding.column} error ${finding.message.replaceAll('`', '')}`);
      expect(attr(byTag(byClass(article, 'rule')[0], 'a')[0], 'href')).toMatch(docsUrl(finding.ruleId));

      const lines = sourceLines(finding.absolute);
      const rows = byClass(article, 'row');
      // Every shown line is the file's line, numbered; windows in order.
      for (const row of rows) {
        const line = Number(attr(row, 'data-line'));
        expect(textOf(byClass(row, 'ln')[0])).toBe(String(line));
        expect(codeText(row), `${where} line ${line}`).toBe(lines[line - 1]);
      }
      const shown = rows.map((row) => Number(attr(row, 'data-line')));
      expect(shown).toEqual([...shown].sort((a, b) => a - b));
      expect(shown).toContain(finding.line);

      const pathItems = byTag(byClass(article, 'path')[0], 'li');
      expect(pathItems).toHaveLength(finding.trace.length);
      finding.trace.forEach((step, index) => {
        const number = String(index + 1);
        const item = pathItems[index];
        expect(textOf(item)).toBe(`${number} ${step.label} ${step.line}:${step.column}`);
        const row = byId(article, attr(byTag(item, 'a')[0], 'href')!.slice(1))!;
        expect(hasClass(row, 'row') && attr(row, 'data-line')).toBe(String(step.line));
        // The number sits in the code where the step starts, and a note under the line says what happens.
        const code = textOf(byTag(row, 'code')[0]);
        const badges = byClass(row, 'badge').map((badge) => textOf(badge));
        expect(badges).toContain(number);
        expect(code.indexOf(number, step.column - 1)).toBeGreaterThanOrEqual(step.column - 1);
        const notes = byClass(article, 'note').filter((note) => attr(note, 'data-line') === String(step.line));
        expect(notes.map((note) => textOf(note))).toContain(`${number} ${step.label}`);
        expect(byTag(row, 'mark').length).toBeGreaterThan(0);
      });
    }
  });

  it('merges the context windows of nearby steps: one excerpt from 57 to 67 for the double release', () => {
    const article = byId(page.document, 'src/pipeline.ts:65:7')!;
    const shown = byClass(article, 'row').map((row) => Number(attr(row, 'data-line')));
    expect(shown).toEqual([57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67]);
    expect(byClass(article, 'gap')).toHaveLength(2);
  });

  it('shows each suggestion as a unified diff that turns the file into the suggested one', () => {
    const suggested = findings.filter((finding) => finding.suggestions?.length);
    expect(suggested.length).toBeGreaterThanOrEqual(2);
    for (const finding of suggested) {
      const article = byId(page.document, `${finding.file}:${finding.line}:${finding.column}`)!;
      const fixes = byClass(article, 'fix');
      expect(fixes).toHaveLength(finding.suggestions!.length);
      finding.suggestions!.forEach((suggestion, index) => {
        expect(textOf(byTag(fixes[index], 'h4')[0])).toBe(`Suggestion: ${suggestion.desc.replaceAll('`', '')}`);
        const diff = byTag(byTag(fixes[index], 'pre')[0], 'span').map((span) => textOf(span));
        expect(diff.slice(0, 2)).toEqual([`--- a/${finding.file}`, `+++ b/${finding.file}`]);
        const source = fs.readFileSync(finding.absolute, 'utf8');
        const fixed = source.slice(0, suggestion.fix.range[0]) + suggestion.fix.text + source.slice(suggestion.fix.range[1]);
        expect(applyDiff(source.split('\n'), diff.slice(2)).join('\n')).toBe(fixed);
      });
    }
    const thumbnail = byClass(byId(page.document, 'src/pipeline.ts:50:17')!, 'fix')[0];
    expect(byTag(byTag(thumbnail, 'pre')[0], 'span').map((span) => textOf(span))).toEqual([
      '--- a/src/pipeline.ts',
      '+++ b/src/pipeline.ts',
      '@@ -48,9 +48,12 @@',
      ' function thumbnailOf(image: Image, box: number): Thumbnail {',
      '   const [width, height] = fitWithin(image.width, image.height, box);',
      '   const small = image.resize(width, height);',
      '-  const png = small.encodePng();',
      '-  small.dispose();',
      '-  return { png, width, height };',
      '+  try {',
      '+    const png = small.encodePng();',
      '+    return { png, width, height };',
      '+  } finally {',
      '+    small.dispose();',
      '+  }',
      ' }',
      ' ',
      ' export function contactSheet(files: readonly Uint8Array[], box: number): Thumbnail[] {',
    ]);
  });

  it('loads nothing from outside the page: no src, no <link>, no CSS url() or @import; links are anchors or rule docs', () => {
    const loaders = ['script', 'img', 'link', 'iframe', 'object', 'embed', 'video', 'audio', 'source', 'base', 'frame'];
    for (const element of elements(page.document)) {
      if (element.tagName !== 'script') expect(loaders, element.tagName).not.toContain(element.tagName);
      for (const name of ['src', 'srcset', 'poster', 'data', 'action', 'formaction', 'background', 'xlink:href']) {
        expect(attr(element, name), `${element.tagName}[${name}]`).toBeUndefined();
      }
      expect(attr(element, 'http-equiv')).toBeUndefined();
      expect(attr(element, 'style') ?? '').not.toMatch(/url\(|@import/i);
      const href = attr(element, 'href');
      if (href === undefined) continue;
      expect(element.tagName).toBe('a');
      if (href.startsWith('#')) expect(byId(page.document, href.slice(1)), href).toBeDefined();
      else expect(href, 'an outside link is a rule page').toMatch(/^https:\/\/github\.com\/.+\/docs\/rules\/[a-z-]+\.md$/);
    }
    const style = byTag(page.document, 'style').map((element) => textOf(element)).join('');
    expect(style).not.toMatch(/url\s*\(|@import|@font-face/i);
    expect(byTag(page.document, 'script')).toHaveLength(1);
    expect(textOf(byTag(page.document, 'script')[0])).not.toMatch(/https?:|fetch\(|XMLHttpRequest|import\(/);
    expect(text).not.toMatch(/(?:src|href)\s*=\s*["']?(?:https?:)?\/\/(?!github\.com\/.+\/docs\/rules\/)/i);
  });

  it('works without scripts: every finding open, the filter hidden until the script shows it', () => {
    for (const details of byTag(page.document, 'details')) expect(attr(details, 'open')).toBe('');
    const filter = byId(page.document, 'filter')!;
    expect(filter.tagName).toBe('form');
    expect(attr(filter, 'hidden')).toBe('');
    const ruleOptions = byTag(byTag(filter, 'select')[0], 'option').map((option) => attr(option, 'value'));
    expect(ruleOptions).toEqual(['', ...[...new Set(findings.map((finding) => finding.ruleId))].sort()]);
  });

  it('names no absolute path and no time: the same project gives the same page', () => {
    expect(text).not.toContain(root);
    expect(text).not.toContain(path.sep === '/' ? '/home/' : 'C:\\');
    expect(text).not.toMatch(/\b20\d\d-\d\d-\d\d\b|\d\d:\d\d:\d\d/);
  });

  it('is committed as docs/report-example.html, as `npm run report:example` writes it', () => {
    expect(() => execFileSync(process.execPath, [path.join(root, 'scripts/report-example.js'), '--check'], { cwd: root, stdio: 'pipe' })).not.toThrow();
    expect(fs.readFileSync(path.join(root, 'docs/report-example.html'), 'utf8')).toBe(text);
  });
});

describe('the HTML report of source with markup characters', () => {
  it('shows a line with <, & and quotes as text, exactly as in the file', () => {
    const dir = copyOfExample();
    const line = `  return size < 8 && title !== "" ? \`<b title='\${title}'>&amp;\${wasm.HEAPU8[ptr]}</b>\` : '';`;
    fs.writeFileSync(
      path.join(dir, 'src/markup.ts'),
      `import { wasm } from './heap';

export function badge(size: number, title: string): string {
  const ptr = wasm._malloc(size);
  wasm._free(ptr);
${line}
}
`,
    );
    const run = runCli(['--format', 'html', 'src/markup.ts'], dir);
    expect(run.status).toBe(1);
    const page = parsePage(run.stdout);
    expect(page.errors).toEqual([]);
    expect(byTag(page.document, 'b')).toEqual([]);
    const article = byTag(page.document, 'article')[0];
    expect(attr(article, 'data-rule')).toBe('handle-lifetime/no-use-after-release');
    const row = byClass(article, 'row').find((candidate) => attr(candidate, 'data-line') === '6')!;
    expect(codeText(row)).toBe(line);
    expect(byTag(byClass(article, 'path')[0], 'li').map((item) => textOf(item))).toEqual(['1 acquired 4:15', '2 released 5:3', `3 used 6:${line.indexOf('wasm.HEAPU8[ptr]') + 1}`]);
    expect(byClass(row, 'badge').map((badge) => textOf(badge))).toEqual(['3']);
    expect(run.stdout).not.toContain(`<b title=`);
    expect(run.stdout).toContain('size &lt; 8 &amp;&amp; title !== &quot;&quot;');
  });

  it('says so when there is nothing to report', () => {
    const run = runCli(['--format', 'html', 'src/cache.ts']);
    expect(run.status).toBe(0);
    const page = parsePage(run.stdout);
    expect(page.errors).toEqual([]);
    expect(textOf(byClass(page.document, 'totals')[0])).toBe('No handle lifetime problems in 1 file.');
    expect(byTag(page.document, 'article')).toEqual([]);
  });
});
