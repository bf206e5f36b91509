#!/usr/bin/env node
/**
 * The editor bench for one code base, in one Node process, as an editor
 * lints: typescript-eslint's project service (`projectService: true`) keeps
 * the project open, and each edit (handed to ESLint's Linter in memory)
 * gives a new program that the next lint builds. Prints its result as JSON.
 * Started by scripts/bench.js (`runEditorWorker`); by hand to profile the
 * plugin's part of each edit:
 *
 *   node scripts/lib/editor-worker.js --code-base effect [--files 10] [--edits 10]
 *                                     [--edit-kinds body,append] [--plugin <dist dir>] [--file <path>]...
 *                                     [--cpu-prof <file.cpuprofile>]
 *   node scripts/lib/editor-profile.js <file.cpuprofile> --lints <files × edits>
 *
 * (`--cpu-prof` profiles the timed edits only; editor-profile.js reads the
 * plugin's frames out of it.)
 *
 * Two kinds of edit, each its own samples: `body` inserts a statement at the
 * start of the function body nearest the middle of the file (that function
 * changes and every one after it moves, as when a user types in it);
 * `append` appends a comment (no function changes). `--plugin` lints with
 * another build's dist/ (an A/B of two builds on the same edits).
 *
 * Three configurations lint every edit, each its own new text (so each
 * builds its own program), in an order that rotates from edit to edit:
 * typed parsing alone (no rules: the floor), no-floating-promises alone,
 * and the plugin's `recommended`. The first lint after opening the project
 * (which builds the whole program) is timed apart, and so is the first
 * lint of each rule set after it.
 */
import { Session } from 'node:inspector/promises';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { Linter } from 'eslint';
import ts from 'typescript';
import tseslint from 'typescript-eslint';
import { editedFiles, findCodeBase, prepareWorkspace } from './editor-codebases.js';

const CONFIGURATIONS = ['floor', 'nfp', 'plugin'];
/** Each edit's order of the three: every configuration runs first, second and third equally often. */
const ORDERS = [
  ['floor', 'nfp', 'plugin'],
  ['nfp', 'plugin', 'floor'],
  ['plugin', 'floor', 'nfp'],
];

const LINTED = ['**/*.ts', '**/*.tsx', '**/*.js', '**/*.mjs', '**/*.cjs'];

/** What every configuration shares: the parser on the project service. */
function parsing(root) {
  return {
    files: LINTED,
    languageOptions: {
      parser: tseslint.parser,
      sourceType: 'module',
      parserOptions: { projectService: true, tsconfigRootDir: root },
    },
    // Published code carries disable comments for rules that are not loaded here.
    linterOptions: { noInlineConfig: true, reportUnusedDisableDirectives: 'off' },
  };
}

/** The program of the last lint, and whether it holds the text that lint was given. */
const probe = { program: null, sawText: false };
const probePlugin = {
  rules: {
    program: {
      meta: { type: 'problem', schema: [] },
      create(context) {
        const { program, esTreeNodeToTSNodeMap } = context.sourceCode.parserServices;
        probe.program = program;
        probe.sawText = esTreeNodeToTSNodeMap.get(context.sourceCode.ast).getSourceFile().text === context.sourceCode.text;
        return {};
      },
    },
  },
};

function configurations(root, handleLifetime) {
  const base = parsing(root);
  return {
    floor: [base],
    nfp: [base, { files: LINTED, plugins: { '@typescript-eslint': tseslint.plugin }, rules: { '@typescript-eslint/no-floating-promises': 'error' } }],
    plugin: [base, { files: LINTED, plugins: handleLifetime.configs.recommended.plugins, rules: handleLifetime.configs.recommended.rules }],
    probe: [base, { files: LINTED, plugins: { probe: probePlugin }, rules: { 'probe/program': 'error' } }],
  };
}

const EDIT_KINDS = ['body', 'append'];

let editCount = 0;

/** Where a body edit goes: just inside the `{` of the function body nearest the middle of the file (constructors left out: `super()` must come first). */
function bodyEditOffset(file, text) {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
  let best;
  const visit = (node) => {
    if (ts.isFunctionLike(node) && !ts.isConstructorDeclaration(node) && node.body && ts.isBlock(node.body)) {
      const offset = node.body.getStart(source) + 1;
      if (!best || Math.abs(offset - text.length / 2) < Math.abs(best - text.length / 2)) best = offset;
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  // A file without a function body: the statement nearest the middle, at the top level.
  if (best === undefined) {
    const starts = source.statements.map((statement) => statement.getStart(source));
    best = starts.reduce((nearest, start) => (Math.abs(start - text.length / 2) < Math.abs(nearest - text.length / 2) ? start : nearest), text.length);
  }
  return best;
}

/** The file's text, edited in a way no earlier lint saw: the project service gets a new version of the file. */
function edited(editKind, original, bodyOffset) {
  editCount++;
  if (editKind === 'append') return `${original}\n// edit ${editCount}\n`;
  return `${original.slice(0, bodyOffset)}\nvoid ${editCount};${original.slice(bodyOffset)}`;
}

/** One lint of a new version of the file: wall time, parse and rule times, messages. */
function lint(configs, kind, file, { text, editKind = 'append', bodyOffset }) {
  const linter = new Linter({ configType: 'flat' });
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  // verifyAndFix without fixing: one pass, and ESLint's stats (verify keeps none).
  const { messages } = linter.verifyAndFix(edited(editKind, text, bodyOffset), configs[kind], { filename: file, fix: false, stats: true });
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const [pass] = linter.getTimes().passes;
  // Warnings without a rule are the disable comments that noInlineConfig turns off.
  const fatal = messages.filter((message) => message.fatal || (!message.ruleId && message.severity === 2));
  if (fatal.length > 0) throw new Error(`${kind} lint of ${file}: ${fatal[0].message}`);
  return {
    ms,
    // Processor time of the process (all its threads: the garbage collector's too), less exposed than wall time to other processes' load.
    cpuMs: (cpu.user + cpu.system) / 1000,
    parseMs: pass?.parse?.total ?? 0,
    rules: Object.fromEntries(Object.entries(pass?.rules ?? {}).map(([id, time]) => [id, time.total])),
    reports: messages.filter((message) => message.ruleId).length,
  };
}

async function main() {
  const { values } = parseArgs({
    options: {
      'code-base': { type: 'string' },
      files: { type: 'string', default: '10' },
      edits: { type: 'string', default: '10' },
      'edit-kinds': { type: 'string', default: EDIT_KINDS.join(',') },
      file: { type: 'string', multiple: true },
      plugin: { type: 'string', default: path.join(import.meta.dirname, '..', '..', 'dist') },
      'cpu-prof': { type: 'string' },
      'warm-files': { type: 'boolean', default: false },
    },
  });
  const editKinds = values['edit-kinds'].split(',');
  const unknownKinds = editKinds.filter((kind) => !EDIT_KINDS.includes(kind));
  if (unknownKinds.length > 0) throw new Error(`unknown edit kind ${unknownKinds.join(', ')}; one of ${EDIT_KINDS.join(', ')}`);
  const { default: handleLifetime } = await import(pathToFileURL(path.join(path.resolve(values.plugin), 'index.js')).href);
  const spec = findCodeBase(values['code-base']);
  if (!spec) throw new Error(`unknown code base ${values['code-base']}`);
  const { root, files } = prepareWorkspace(spec);
  // `--file`: these files (relative to the code base), for a profile of one file's edits.
  const chosen = values.file ? files.filter(({ file }) => values.file.includes(path.relative(root, file))) : editedFiles(files, Number(values.files));
  if (chosen.length === 0) throw new Error(`no file of ${spec.name} named ${values.file}`);
  const texts = new Map(
    chosen.map(({ file }) => {
      const text = readFileSync(file, 'utf8');
      return [file, { text, bodyOffset: bodyEditOffset(file, text) }];
    }),
  );
  const configs = configurations(root, handleLifetime);
  const started = performance.now();

  // Opening: the project service finds the tsconfig and builds the whole program.
  const openMs = lint(configs, 'probe', chosen[0].file, texts.get(chosen[0].file)).ms;
  const openedProgram = probe.program;
  const program = {
    files: openedProgram.getSourceFiles().length,
    declarationFiles: openedProgram.getSourceFiles().filter((file) => file.isDeclarationFile).length,
    lines: openedProgram.getSourceFiles().reduce((sum, file) => sum + file.getLineStarts().length, 0),
  };
  // The first lint of each rule set after opening (its JIT, the checker's first types).
  const first = {};
  for (const kind of ['nfp', 'plugin']) first[kind] = lint(configs, kind, chosen[0].file, texts.get(chosen[0].file)).ms;
  // One untimed round on another file, so that the timed edits start warm.
  for (const kind of CONFIGURATIONS) lint(configs, kind, chosen[1 % chosen.length].file, texts.get(chosen[1 % chosen.length].file));

  // `--warm-files`: each file's first edit linted untimed (it pays for the whole file), so that a profile shows later edits only.
  if (values['warm-files']) for (const { file } of chosen) for (const kind of CONFIGURATIONS) lint(configs, kind, file, { ...texts.get(file), editKind: editKinds[0] });

  let session;
  if (values['cpu-prof']) {
    session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
  }
  const samples = [];
  for (const { file, lines } of chosen) {
    for (const editKind of editKinds) {
      for (let edit = 0; edit < Number(values.edits); edit++) {
        const sample = { file: path.relative(root, file), lines, edit, editKind };
        for (const kind of ORDERS[samples.length % ORDERS.length]) sample[kind] = lint(configs, kind, file, { ...texts.get(file), editKind });
        samples.push(sample);
      }
    }
  }
  if (session) {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(values['cpu-prof'], JSON.stringify(profile));
    session.disconnect();
  }

  // The edits reached the project service: a new program, holding the text the lint was given.
  lint(configs, 'probe', chosen[0].file, texts.get(chosen[0].file));
  if (probe.program === openedProgram || !probe.sawText) throw new Error(`${spec.name}: the project service did not see the edited text`);

  const result = {
    name: spec.name,
    handles: spec.handles,
    editKinds,
    program,
    openMs,
    first,
    samples,
    loopMs: performance.now() - started,
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  process.stdout.write(JSON.stringify(result));
}

await main();
