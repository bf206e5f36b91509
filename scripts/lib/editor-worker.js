#!/usr/bin/env node
/**
 * The editor bench for one code base, in one Node process, as an editor
 * lints: typescript-eslint's project service (`projectService: true`) keeps
 * the project open, and each edit (a comment appended to the file's text,
 * handed to ESLint's Linter in memory) gives a new program that the next
 * lint builds. Prints its result as JSON. Started by scripts/bench.js
 * (`runEditorWorker`); by hand to profile the plugin's part of each edit:
 *
 *   node scripts/lib/editor-worker.js --code-base effect [--files 10] [--edits 10]
 *                                     [--cpu-prof <file.cpuprofile>]
 *   node scripts/lib/editor-profile.js <file.cpuprofile> --lints <files × edits>
 *
 * (`--cpu-prof` profiles the timed edits only; editor-profile.js reads the
 * plugin's frames out of it.)
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
import { Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import handleLifetime from '../../dist/index.js';
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

function configurations(root) {
  const base = parsing(root);
  return {
    floor: [base],
    nfp: [base, { files: LINTED, plugins: { '@typescript-eslint': tseslint.plugin }, rules: { '@typescript-eslint/no-floating-promises': 'error' } }],
    plugin: [base, { files: LINTED, plugins: handleLifetime.configs.recommended.plugins, rules: handleLifetime.configs.recommended.rules }],
    probe: [base, { files: LINTED, plugins: { probe: probePlugin }, rules: { 'probe/program': 'error' } }],
  };
}

let editCount = 0;

/** The file's text with a comment no earlier lint saw: the project service gets a new version of the file. */
function edited(original) {
  editCount++;
  return `${original}\n// edit ${editCount}\n`;
}

/** One lint of a new version of the file: wall time, parse and rule times, messages. */
function lint(configs, kind, file, original) {
  const linter = new Linter({ configType: 'flat' });
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  // verifyAndFix without fixing: one pass, and ESLint's stats (verify keeps none).
  const { messages } = linter.verifyAndFix(edited(original), configs[kind], { filename: file, fix: false, stats: true });
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
      'cpu-prof': { type: 'string' },
    },
  });
  const spec = findCodeBase(values['code-base']);
  if (!spec) throw new Error(`unknown code base ${values['code-base']}`);
  const { root, files } = prepareWorkspace(spec);
  const chosen = editedFiles(files, Number(values.files));
  const texts = new Map(chosen.map(({ file }) => [file, readFileSync(file, 'utf8')]));
  const configs = configurations(root);
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
    for (let edit = 0; edit < Number(values.edits); edit++) {
      const sample = { file: path.relative(root, file), lines, edit };
      for (const kind of ORDERS[samples.length % ORDERS.length]) sample[kind] = lint(configs, kind, file, texts.get(file));
      samples.push(sample);
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
