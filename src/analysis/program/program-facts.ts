/**
 * Facts about a whole program read from its files' text, once per file
 * (see file-facts-union.ts): which libraries it uses, whether a declaration
 * file declares a member, whether any type in it can be a handle at all.
 * Default library files are left out (their types are known).
 */
import ts from 'typescript';
import { FileFactsUnion } from './file-facts-union.js';

const moduleUnions = new Map<string, FileFactsUnion>();

/**
 * Which of these modules the program's files import or declare: a file under
 * `/node_modules/<pkg>/`, or the name quoted anywhere in a file. One regular
 * expression pass per file for all the modules (a search per module and
 * quote read typescript.js forty times), once per `ts.SourceFile`.
 */
export function modulesMentioned(program: ts.Program, modules: readonly string[]): ReadonlySet<string> {
  const key = modules.join('\0');
  let union = moduleUnions.get(key);
  if (!union) {
    const pattern = new RegExp(`['"](${modules.map(escapeRegExp).join('|')})['"]`, 'g');
    union = new FileFactsUnion((file, ofProgram) => {
      if (ofProgram.isSourceFileDefaultLibrary(file)) return NONE;
      const found = new Set<string>();
      for (const module of modules) if (file.fileName.includes(`/node_modules/${module}/`)) found.add(module);
      if (modules.length > 0) for (const match of file.text.matchAll(pattern)) found.add(match[1]);
      return found.size > 0 ? [...found] : NONE;
    });
    moduleUnions.set(key, union);
  }
  return union.in(program);
}

const declarationUnions = new Map<string, FileFactsUnion>();

/**
 * Which of these modules the program has declarations of: a file under
 * `/node_modules/<pkg>/` or `/node_modules/@types/<pkg>/`, or a declaration
 * file that quotes the name (`declare module "fs"` in `@types/node`). A
 * program that imports `fs` without `@types/node` has no declaration a preset
 * could match: its calls into `fs` are untyped.
 */
export function modulesDeclared(program: ts.Program, modules: readonly string[]): ReadonlySet<string> {
  const key = modules.join('\0');
  let union = declarationUnions.get(key);
  if (!union) {
    const pattern = new RegExp(`['"](${modules.map(escapeRegExp).join('|')})['"]`, 'g');
    union = new FileFactsUnion((file, ofProgram) => {
      if (ofProgram.isSourceFileDefaultLibrary(file)) return NONE;
      const found = new Set<string>();
      for (const module of modules) {
        if (file.fileName.includes(`/node_modules/${module}/`) || file.fileName.includes(`/node_modules/@types/${module}/`)) found.add(module);
      }
      if (file.isDeclarationFile && modules.length > 0) for (const match of file.text.matchAll(pattern)) found.add(match[1]);
      return found.size > 0 ? [...found] : NONE;
    });
    declarationUnions.set(key, union);
  }
  return union.in(program);
}

const NONE: readonly string[] = [];
/** The fact of a file that has what a yes-or-no question of the program asks. */
const YES: readonly string[] = ['yes'];

/**
 * Does declaration text declare a member of this name (`free(): void;`,
 * `isAliasOf(other: …)`, `delete: () => void`)? The word alone is in most
 * declaration files (quickjs-emscripten's mentions freeing everywhere), and
 * an active shape spec that acquires by return type makes the prefilter look
 * up every method call.
 */
export function declaresMember(text: string, member: string): boolean {
  for (let at = text.indexOf(member); at >= 0; at = text.indexOf(member, at + 1)) {
    // Part of a longer name (`freeAll`), or a member read (`handle.free()` in a doc comment).
    const before = at > 0 ? text.charCodeAt(at - 1) : 32;
    if (ts.isIdentifierPart(before, ts.ScriptTarget.Latest) || before === 46) continue;
    let after = at + member.length;
    while (after < text.length && (text[after] === ' ' || text[after] === '\t')) after++;
    const next = text[after];
    if (next === '(' || next === '<' || next === ':' || (next === '?' && text[after + 1] !== '.')) return true;
  }
  return false;
}

const shapeUnions = new Map<string, FileFactsUnion>();

/**
 * Does a declaration file of the program (not the default library) declare
 * every member of one of these shapes? Generated glue (wasm-bindgen's
 * classes, embind's) is declared so.
 */
export function shapeDeclared(program: ts.Program, shapes: readonly { readonly members: readonly string[] }[]): boolean {
  if (shapes.length === 0) return false;
  const key = JSON.stringify(shapes.map((shape) => shape.members));
  let union = shapeUnions.get(key);
  if (!union) {
    union = new FileFactsUnion((file, ofProgram) =>
      file.isDeclarationFile && !ofProgram.isSourceFileDefaultLibrary(file) && shapes.some((shape) => shape.members.every((member) => declaresMember(file.text, member))) ? YES : NONE,
    );
    shapeUnions.set(key, union);
  }
  return union.in(program).size > 0;
}

const memberFileUnions = new Map<string, FileFactsUnion>();

/**
 * The TypeScript files of the program (the default library aside) whose text
 * declares every one of these members: the only files where a module object
 * of that shape can be declared (an Emscripten module's `destroy`, `_malloc`).
 */
export function filesDeclaringMembers(program: ts.Program, members: readonly string[]): ReadonlySet<string> {
  const key = members.join('\0');
  let union = memberFileUnions.get(key);
  if (!union) {
    union = new FileFactsUnion((file, ofProgram) =>
      !(file.flags & ts.NodeFlags.JavaScriptFile) && !ofProgram.isSourceFileDefaultLibrary(file) && members.every((member) => declaresMember(file.text, member))
        ? [file.fileName]
        : NONE,
    );
    memberFileUnions.set(key, union);
  }
  return union.in(program);
}

const mentionUnions = new Map<string, FileFactsUnion>();

/**
 * Does the program name any of these words in a file: as a whole word of its
 * text, or in its path (under `/node_modules/<word>/`, or ending in the word,
 * for a module named by its file)? A plain text search, so a mention in a
 * comment or a string counts: the answer errs towards yes. With
 * `typeScriptOnly`, the text of JavaScript files is not searched (they
 * cannot declare a module or a namespace). With `outsideStrings`, for words
 * that name types or members (never a module), a mention inside a string or
 * template literal, or as the key of an object literal, does not count: it
 * names no type (typescript.js's 13 mentions are all such: diagnostic texts,
 * emit helpers, its table of lib names). Comments still count (JSDoc types).
 */
export function programMentions(program: ts.Program, words: readonly string[], { typeScriptOnly = false, outsideStrings = false } = {}): boolean {
  if (words.length === 0) return false;
  const key = `${typeScriptOnly ? 'ts' : 'all'}${outsideStrings ? ' code' : ''}\0${words.join('\0')}`;
  let union = mentionUnions.get(key);
  if (!union) {
    // A whole word: `Deno` is not in `DenormalizedX`.
    const pattern = new RegExp(`(?<![\\w$])(?:${words.map(escapeRegExp).join('|')})(?![\\w$])`, outsideStrings ? 'g' : '');
    const mentioned = (file: ts.SourceFile): boolean => (outsideStrings ? mentionedOutsideStrings(file, pattern) : pattern.test(file.text));
    const searched = (file: ts.SourceFile): boolean => !typeScriptOnly || (file.flags & ts.NodeFlags.JavaScriptFile) === 0;
    union = new FileFactsUnion((file, ofProgram) =>
      !ofProgram.isSourceFileDefaultLibrary(file) &&
      (words.some((word) => file.fileName.includes(`/node_modules/${word}/`) || file.fileName.endsWith(word.startsWith('/') ? word : `/${word}`)) || (searched(file) && mentioned(file)))
        ? YES
        : NONE,
    );
    mentionUnions.set(key, union);
  }
  return union.in(program).size > 0;
}

/**
 * Words without which no type of a program is a handle by its own
 * declaration: a `[Symbol.dispose]` or `[Symbol.asyncDispose]` member, the
 * default library's Disposable types (`Disposable`, `DisposableStack`,
 * `AsyncDisposable…`), a `@handle` tag. (Presets and settings name their
 * handle types apart: see SpecMatcher#handleTypesPossible.)
 */
export const OWN_HANDLE_WORDS: readonly string[] = [
  'Symbol.dispose',
  'Symbol.asyncDispose',
  'Disposable',
  'AsyncDisposable',
  'DisposableStack',
  'AsyncDisposableStack',
  '@handle',
];

/** A match of the global `pattern` in the file's text that is not inside a string or an object literal's key. */
function mentionedOutsideStrings(file: ts.SourceFile, pattern: RegExp): boolean {
  const text = file.text;
  pattern.lastIndex = 0;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    if (!inStringOrKey(file, match.index)) return true;
  }
  return false;
}

/** Is the text at `position` part of a string or template literal, or of an object literal's key? */
function inStringOrKey(file: ts.SourceFile, position: number): boolean {
  const { node, parent } = nodeAt(file, position);
  // In the trivia before the node: a comment.
  if (node === file || position < node.getStart(file)) return false;
  switch (node.kind) {
    case ts.SyntaxKind.StringLiteral:
    case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
    case ts.SyntaxKind.TemplateHead:
    case ts.SyntaxKind.TemplateMiddle:
    case ts.SyntaxKind.TemplateTail:
      return true;
    case ts.SyntaxKind.Identifier:
      return ts.isPropertyAssignment(parent) && parent.name === node;
    default:
      return false;
  }
}

/**
 * The innermost node whose span (leading trivia included) holds `position`, and its parent. The
 * parent is tracked on the way down: a file the checker has not bound has no parent links yet.
 */
function nodeAt(file: ts.SourceFile, position: number): { node: ts.Node; parent: ts.Node } {
  let parent: ts.Node = file;
  let node: ts.Node = file;
  for (;;) {
    let next: ts.Node | undefined;
    ts.forEachChild(node, (child) => {
      if (child.pos <= position && position < child.end) {
        next = child;
        return true;
      }
      return undefined;
    });
    if (!next) return { node, parent };
    parent = node;
    node = next;
  }
}

/** The identifiers of a file spelled `name`, found from its text (no walk over the whole file). */
export function identifiersNamed(file: ts.SourceFile, name: string): ts.Identifier[] {
  const found: ts.Identifier[] = [];
  const text = file.text;
  const isPart = (char: string | undefined): boolean => char !== undefined && /[\w$]/.test(char);
  for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + name.length)) {
    if (isPart(text[at - 1]) || isPart(text[at + name.length])) continue;
    const { node } = nodeAt(file, at);
    if (ts.isIdentifier(node) && node.text === name && node.getStart(file) === at) found.push(node);
  }
  return found;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
