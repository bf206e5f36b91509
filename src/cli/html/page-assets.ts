/**
 * The report page's style sheet and script, inlined into it: the page loads
 * nothing (no fonts, images or scripts from anywhere). The script is
 * progressive enhancement: it reveals and runs the rule/file filter and the
 * expand/collapse buttons; without it every finding is shown, open.
 */

/** Colours meet WCAG AA contrast (4.5:1 for text) on their backgrounds, in light and dark schemes. */
export const pageStyle = `
:root {
  color-scheme: light dark;
  --bg: #ffffff; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --panel: #f6f8fa; --code-bg: #ffffff;
  --link: #0550ae; --error: #b42318; --warning: #7d4e00; --mark: #fff1b8; --at: #b42318;
  --acquire: #1a7f37; --release: #0550ae; --use: #6e40c9; --leak: #b42318;
  --added-bg: #dafbe1; --added-fg: #116329; --removed-bg: #ffebe9; --removed-fg: #a40e26; --hunk: #0550ae;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --line: #3d444d; --panel: #151b23; --code-bg: #0d1117;
    --link: #79b8ff; --error: #ff8182; --warning: #e3b341; --mark: #5a4a0f; --at: #ff8182;
    --added-bg: #12361f; --added-fg: #7ee2a8; --removed-bg: #4c1519; --removed-fg: #ffb3b8; --hunk: #79b8ff;
  }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
a { color: var(--link); }
code, pre, .excerpt { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 13px; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: 1rem; background: var(--bg); padding: .25rem .5rem; z-index: 1; }
header, nav, main, footer { max-width: 72rem; margin: 0 auto; padding: 0 1rem; }
header { padding-top: 1rem; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
h2 { font-size: 1.15rem; margin: 0; }
h3 { font-size: 1rem; margin: 0; font-weight: 600; display: inline; }
.totals { margin: 0; font-size: 1.05rem; }
.meta, .count, .where, footer { color: var(--muted); }
.meta { margin: 0 0 1rem; }
.summary { display: flex; flex-wrap: wrap; gap: 1rem 2rem; align-items: flex-start; margin-bottom: 1rem; }
table { border-collapse: collapse; }
caption { text-align: left; font-weight: 600; padding-bottom: .25rem; }
th, td { text-align: left; padding: .15rem .75rem .15rem 0; border-bottom: 1px solid var(--line); font-weight: normal; }
thead th { color: var(--muted); font-size: .85rem; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
form.filter { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; padding: .5rem .75rem; background: var(--panel); border: 1px solid var(--line); border-radius: 6px; margin-bottom: 1rem; }
form.filter[hidden] { display: none; }
select, button { font: inherit; font-size: .9rem; }
details.file { border: 1px solid var(--line); border-radius: 6px; margin-bottom: 1rem; }
details.file > summary { padding: .5rem .75rem; background: var(--panel); border-radius: 6px; cursor: pointer; }
details.file > summary h2, details.file > summary .count { display: inline; }
details.file > summary h2 { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 1rem; }
article.finding { border-top: 1px solid var(--line); padding: .5rem .75rem .75rem; }
article.finding > details > summary { cursor: pointer; }
.where { font-variant-numeric: tabular-nums; margin-right: .25rem; }
.sev { font-size: .8rem; font-weight: 600; text-transform: uppercase; letter-spacing: .02em; margin-right: .25rem; }
.sev-error .sev { color: var(--error); }
.sev-warning .sev { color: var(--warning); }
.rule { margin: .25rem 0 .5rem; font-size: .9rem; }
ol.path { list-style: none; padding: 0; margin: 0 0 .5rem; display: flex; flex-wrap: wrap; gap: .25rem 1rem; font-size: .9rem; }
ol.path a { text-decoration: none; color: inherit; }
ol.path a:hover .label, ol.path a:focus .label { text-decoration: underline; }
.badge { display: inline-block; min-width: 1.4em; padding: 0 .3em; border-radius: 1em; color: #ffffff; background: var(--leak); font: 600 11px/1.45 system-ui, sans-serif; text-align: center; vertical-align: 1px; user-select: none; }
.k-acquire .badge, .badge.k-acquire { background: var(--acquire); }
.k-release .badge, .badge.k-release { background: var(--release); }
.k-use .badge, .badge.k-use { background: var(--use); }
.excerpt { background: var(--code-bg); border: 1px solid var(--line); border-radius: 6px; overflow-x: auto; padding: .25rem 0; tab-size: 4; line-height: 1.45; }
.row, .note, .gap { white-space: pre; padding-right: 1rem; min-height: 1.45em; }
.ln { display: inline-block; width: 5ch; padding-right: 1ch; margin-right: 1ch; text-align: right; color: var(--muted); user-select: none; border-right: 1px solid var(--line); }
.row.step { background: var(--panel); }
.row .badge { margin-right: 2px; }
mark { background: var(--mark); color: inherit; border-radius: 2px; }
.at { text-decoration: underline wavy var(--at); text-underline-offset: 3px; }
.note { padding-left: calc(6ch + 1px + var(--indent, 0ch)); font-weight: 600; line-height: 1.6; }
.note.k-acquire { color: var(--acquire); } .note.k-release { color: var(--release); } .note.k-use { color: var(--use); } .note.k-leak { color: var(--leak); }
@media (prefers-color-scheme: dark) { .note.k-acquire, .note.k-release, .note.k-use, .note.k-leak { color: var(--fg); } }
.fix { margin-top: .5rem; }
.fix h4 { font-size: .9rem; margin: 0 0 .25rem; font-weight: 600; }
pre.diff { margin: 0; background: var(--code-bg); border: 1px solid var(--line); border-radius: 6px; overflow-x: auto; padding: .25rem 0; tab-size: 4; }
pre.diff span { display: block; padding: 0 1rem 0 .5rem; }
pre.diff .added { background: var(--added-bg); color: var(--added-fg); }
pre.diff .removed { background: var(--removed-bg); color: var(--removed-fg); }
pre.diff .hunk, pre.diff .file-header { color: var(--hunk); }
footer { padding-bottom: 2rem; font-size: .85rem; }
@media print { form.filter { display: none; } details.file, article.finding { break-inside: avoid; } }
`;

/** Filters findings by rule and file; opens the details that hold a linked target. Plain ES2017, no modules. */
export const pageScript = `
(function () {
  var form = document.getElementById('filter');
  var findings = Array.prototype.slice.call(document.querySelectorAll('article.finding'));
  var files = Array.prototype.slice.call(document.querySelectorAll('details.file'));
  function apply() {
    var rule = form.elements.rule.value, file = form.elements.file.value, shown = 0;
    findings.forEach(function (finding) {
      finding.hidden = (rule !== '' && finding.dataset.rule !== rule) || (file !== '' && finding.dataset.file !== file);
      if (!finding.hidden) shown++;
    });
    files.forEach(function (section) { section.hidden = !section.querySelector('article.finding:not([hidden])'); });
    form.querySelector('output').textContent = shown === findings.length ? '' : 'showing ' + shown + ' of ' + findings.length;
  }
  function setOpen(open) {
    document.querySelectorAll('main details').forEach(function (details) { details.open = open; });
  }
  /** A link into a finding that the filter hides or a closed <details> holds: show it. */
  function reveal() {
    var target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (!target) return;
    if (form && target.closest('[hidden]')) { form.reset(); apply(); }
    for (var details = target.closest('details'); details; details = details.parentElement.closest('details')) details.open = true;
  }
  if (form) {
    form.addEventListener('change', apply);
    form.addEventListener('submit', function (event) { event.preventDefault(); });
    form.querySelector('[data-open]').addEventListener('click', function () { setOpen(true); });
    form.querySelector('[data-close]').addEventListener('click', function () { setOpen(false); });
    form.hidden = false;
  }
  window.addEventListener('hashchange', reveal);
  reveal();
})();
`;
