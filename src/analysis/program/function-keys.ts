/**
 * A key per function of a file that changes when anything of the file its
 * analysis may read changes: its own text, and the text of the same-file
 * declarations it depends on, by name, transitively (a callee's summary
 * reads its body; a function without a return type gives its callers a
 * type from its body; `this.x` reads the members named x). What it reads
 * of other files is the kept results' business (kept-functions.ts).
 *
 * The file is cut into units: each top-level statement, except that a
 * top-level class is cut into its members and a header (decorators, name,
 * heritage). A unit's text runs from the end of the unit before it, so
 * that its comments (JSDoc tags) are part of it. A unit declares names
 * (a top-level binding, a member's name) and mentions every word of its
 * text (comments and strings too: more dependencies, never fewer), except
 * that a member's name is mentioned only where a member can be named:
 * after `.` or `#`, in quotes, or as a key (`{ x }`, `x:`), not as a local
 * variable of the same name. A
 * member also mentions its class's name, which the header, the
 * constructor, the fields, the bodiless members and the release-named
 * methods declare: what makes the class's instances handles (an owner
 * class is one whose release method releases its fields). The text before
 * the first statement (directives, references) and every module
 * augmentation are part of every key.
 */
import { createHash } from 'node:crypto';
import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';

interface Unit {
  readonly start: number;
  readonly end: number;
  /** Where the unit's span starts: the end of the unit before it. */
  readonly spanStart: number;
  /** Names of bindings: mentioned by any word. */
  readonly declares: readonly string[];
  /** Names of members: mentioned where a member can be named. */
  readonly members: readonly string[];
  /** Names mentioned besides the words of its text (a member: its class). */
  readonly alsoMentions: readonly string[];
}

const WORD = /[\p{L}_$][\p{L}\p{N}_$]*/gu;
/** A word where a member may be named: `.x`, `?.x`, `#x`, `'x'`, `{ x`, `, x`, `x:`, `x }`. */
const MEMBER_WORD = /(?<=(?:[.#'"`{,])\s*)[\p{L}_$][\p{L}\p{N}_$]*|(?<![\p{L}\p{N}_$])[\p{L}_$][\p{L}\p{N}_$]*(?=\s*[,:}'"`])/gu;

const RETURNS_OR_THROWS = /\b(?:return|throw)\b/;

const digest = (text: string): string => createHash('sha1').update(text).digest('base64');

/** A unit as the next lint of the file finds it again (early-cutoff.ts). */
export interface UnitRecord {
  /** The digest of the unit's text. */
  readonly digest: string;
  /** The digest it stands for in the keys of other units' functions: of an earlier version that reads the same to them (early-cutoff.ts). */
  readonly standsFor: string;
  /** What it declares (its names, its members' names): a unit edited inside keeps them. */
  readonly names: string;
  /** The digest of its text with the bodies of its functions left out. */
  readonly outline: string;
  /** The keys of its functions, in order of position. */
  readonly functionKeys: readonly string[];
}

/**
 * The file cut into units (above), with the key of each function: `keys()`.
 * `text` is the file's text the AST's ranges are in.
 */
export class FileUnits {
  private readonly units: Unit[];
  private readonly unitTexts: string[];
  private readonly shared: string;
  private readonly byName = new Map<string, number[]>();
  private readonly byMemberName = new Map<string, number[]>();
  private readonly unitDigests = new Map<number, string>();
  private readonly neighbours = new Map<number, number[]>();
  /** The functions of each unit, in order of position. */
  private readonly unitFunctions = new Map<number, TSESTree.Node[]>();

  constructor(
    ast: TSESTree.Program,
    private readonly text: string,
    functions: readonly TSESTree.Node[],
    releaseNames: ReadonlySet<string>,
  ) {
    this.units = unitsOf(ast, releaseNames);
    const first = ast.body[0];
    let shared = text.slice(0, first ? first.range[0] : text.length);
    const add = (names: Map<string, number[]>, name: string, index: number): void => {
      let list = names.get(name);
      if (!list) names.set(name, (list = []));
      list.push(index);
    };
    this.units.forEach((unit, index) => {
      for (const name of unit.declares) add(this.byName, name, index);
      for (const name of unit.members) add(this.byMemberName, name, index);
    });
    for (const statement of ast.body) {
      const declaration = exported(statement);
      if (declaration.type === AST_NODE_TYPES.TSModuleDeclaration && declaration.id.type === AST_NODE_TYPES.Literal) shared += text.slice(statement.range[0], statement.range[1]);
      if (declaration.type === AST_NODE_TYPES.TSModuleDeclaration && declaration.kind === 'global') shared += text.slice(statement.range[0], statement.range[1]);
    }
    this.shared = digest(shared);
    this.unitTexts = this.units.map((unit) => text.slice(unit.spanStart, unit.end));
    for (const fn of functions) {
      if (fn.type === AST_NODE_TYPES.Program) continue;
      const index = unitContaining(this.units, fn.range[0], fn.range[1]);
      if (index === undefined) continue;
      let list = this.unitFunctions.get(index);
      if (!list) this.unitFunctions.set(index, (list = []));
      list.push(fn);
    }
    for (const list of this.unitFunctions.values()) list.sort((a, b) => a.range[0] - b.range[0]);
  }

  get size(): number {
    return this.units.length;
  }

  digestOf(index: number): string {
    let known = this.unitDigests.get(index);
    if (known === undefined) this.unitDigests.set(index, (known = digest(this.unitTexts[index]!)));
    return known;
  }

  /** What the unit declares, as one string. */
  namesOf(index: number): string {
    const unit = this.units[index]!;
    return JSON.stringify([unit.declares, unit.members, unit.alsoMentions]);
  }

  functionsOf(index: number): readonly TSESTree.Node[] {
    return this.unitFunctions.get(index) ?? [];
  }

  /**
   * The digest of the unit's text with the bodies of its (outermost) functions left out, but for
   * their lines that return or throw: what the model reads of a body besides its summary (whether
   * it throws, returns a fresh Disposable, lends a cache's entries).
   */
  outlineOf(index: number): string {
    const unit = this.units[index]!;
    let outline = '';
    let at = unit.spanStart;
    for (const fn of this.functionsOf(index)) {
      const body = (fn as { readonly body?: TSESTree.Node | null }).body;
      if (!body || body.range[0] < at) continue;
      const kept = this.text.slice(body.range[0], body.range[1]).split('\n').filter((line) => RETURNS_OR_THROWS.test(line));
      outline += `${this.text.slice(at, body.range[0])}{${kept.join('\n')}}`;
      at = body.range[1];
    }
    return digest(outline + this.text.slice(at, unit.end));
  }

  /** Does the unit decide what the class's instances are (a constructor, a field, a release method: `declaresClass`)? */
  declaresItsClass(index: number): boolean {
    const unit = this.units[index]!;
    return unit.members.length > 0 && unit.declares.length > 0;
  }

  /** Does another unit name this one (so that its functions' keys reach it)? */
  isNamedByOthers(index: number): boolean {
    for (let other = 0; other < this.units.length; other++) {
      if (other !== index && this.neighboursOf(other).includes(index)) return true;
    }
    return false;
  }

  private neighboursOf(index: number): number[] {
    let known = this.neighbours.get(index);
    if (known) return known;
    const words = new Set([...(this.unitTexts[index]!.match(WORD) ?? []), ...this.units[index]!.alsoMentions]);
    const memberWords = new Set(this.unitTexts[index]!.match(MEMBER_WORD) ?? []);
    known = [...new Set([...[...words].flatMap((word) => this.byName.get(word) ?? []), ...[...memberWords].flatMap((word) => this.byMemberName.get(word) ?? [])])];
    this.neighbours.set(index, known);
    return known;
  }

  /**
   * The key of each function (by node). `substitutes`: digests that units stand for in the keys of
   * the functions of other units (a unit edited inside whose outline and summaries did not change
   * stands for its last version: early-cutoff.ts); a unit's own functions key its own text.
   */
  keys(substitutes: ReadonlyMap<number, string> = new Map()): Map<TSESTree.Node, string> {
    const keysOfUnits = new Map<number, string>();
    const keyOfUnit = (index: number): string => {
      let known = keysOfUnits.get(index);
      if (known !== undefined) return known;
      const reached = new Set([index]);
      const pending = [index];
      for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
        for (const other of this.neighboursOf(next)) {
          if (reached.has(other)) continue;
          reached.add(other);
          pending.push(other);
        }
      }
      // Positions are left out: a unit moved by an edit before it keeps its key.
      const digests = [...reached].map((other) => (other !== index && substitutes.get(other)) || this.digestOf(other)).sort();
      keysOfUnits.set(index, (known = digest(`${this.shared}\n${this.digestOf(index)}\n${digests.join('\n')}`)));
      return known;
    };
    const keys = new Map<TSESTree.Node, string>();
    for (const [index, list] of this.unitFunctions) {
      for (const fn of list) keys.set(fn, `${keyOfUnit(index)}@${fn.range[0] - this.units[index]!.start}:${fn.type}`);
    }
    return keys;
  }

  /** Each unit as the next lint finds it again, with its functions' keys and what it stood for in them. */
  records(keys: ReadonlyMap<TSESTree.Node, string>, substitutes: ReadonlyMap<number, string>): UnitRecord[] {
    return this.units.map((_, index) => ({
      digest: this.digestOf(index),
      standsFor: substitutes.get(index) ?? this.digestOf(index),
      names: this.namesOf(index),
      outline: this.outlineOf(index),
      functionKeys: this.functionsOf(index).map((fn) => keys.get(fn) ?? ''),
    }));
  }
}

function unitContaining(units: readonly Unit[], start: number, end: number): number | undefined {
  let low = 0;
  let high = units.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const unit = units[middle]!;
    if (unit.end < end) low = middle + 1;
    else if (unit.start > start) high = middle - 1;
    else return unit.start <= start && end <= unit.end ? middle : undefined;
  }
  return undefined;
}

function exported(statement: TSESTree.ProgramStatement): TSESTree.Node {
  if ((statement.type === AST_NODE_TYPES.ExportNamedDeclaration || statement.type === AST_NODE_TYPES.ExportDefaultDeclaration) && statement.declaration) return statement.declaration;
  return statement;
}

/** The units of the file, in order of position. */
function unitsOf(ast: TSESTree.Program, releaseNames: ReadonlySet<string>): Unit[] {
  const units: Unit[] = [];
  let previousEnd = 0;
  for (const statement of ast.body) {
    const declaration = exported(statement);
    if (declaration.type !== AST_NODE_TYPES.ClassDeclaration || !declaration.id) {
      units.push({ start: statement.range[0], end: statement.range[1], spanStart: previousEnd, declares: declaredNames(declaration), members: [], alsoMentions: [] });
      previousEnd = statement.range[1];
      continue;
    }
    const className = declaration.id.name;
    const body = declaration.body;
    // The header, and the closing brace with it: the class's name, decorators, heritage.
    units.push({ start: statement.range[0], end: body.range[0] + 1, spanStart: previousEnd, declares: [className], members: [], alsoMentions: [] });
    previousEnd = body.range[0] + 1;
    for (const member of body.body) {
      const names = memberNames(member);
      const declares = declaresClass(member, names, releaseNames) ? [className] : [];
      units.push({ start: member.range[0], end: member.range[1], spanStart: previousEnd, declares, members: names, alsoMentions: [className] });
      previousEnd = member.range[1];
    }
    units.push({ start: body.range[1] - 1, end: statement.range[1], spanStart: previousEnd, declares: [className], members: [], alsoMentions: [] });
    previousEnd = statement.range[1];
  }
  return units;
}

/** Does the member decide what the class's instances are (its type, or whether they own a handle)? */
function declaresClass(member: TSESTree.ClassElement, names: readonly string[], releaseNames: ReadonlySet<string>): boolean {
  if (member.type !== AST_NODE_TYPES.MethodDefinition) return true;
  if (member.kind === 'constructor' || member.value.body === null) return true;
  return names.some((name) => releaseNames.has(name)) || member.computed;
}

function memberNames(member: TSESTree.ClassElement): string[] {
  const names: string[] = [];
  if (member.type === AST_NODE_TYPES.MethodDefinition && member.kind === 'constructor') {
    names.push('constructor');
    for (const parameter of member.value.params) {
      if (parameter.type === AST_NODE_TYPES.TSParameterProperty) names.push(...bindingNames(parameter.parameter));
    }
    return names;
  }
  if (!('key' in member) || !member.key) return names;
  const key = member.key;
  if (key.type === AST_NODE_TYPES.Identifier || key.type === AST_NODE_TYPES.PrivateIdentifier) names.push(key.name);
  else if (key.type === AST_NODE_TYPES.Literal) names.push(String(key.value));
  // A computed key (`[Symbol.dispose]`, `[key]`): every word of it.
  else names.push(...(keyText(key).match(WORD) ?? []));
  return names;
}

function keyText(node: TSESTree.Node): string {
  if (node.type === AST_NODE_TYPES.Identifier) return node.name;
  if (node.type === AST_NODE_TYPES.MemberExpression) return `${keyText(node.object)} ${keyText(node.property)}`;
  if (node.type === AST_NODE_TYPES.Literal) return String(node.value);
  return '';
}

function declaredNames(node: TSESTree.Node): string[] {
  switch (node.type) {
    case AST_NODE_TYPES.FunctionDeclaration:
    case AST_NODE_TYPES.ClassDeclaration:
    case AST_NODE_TYPES.TSInterfaceDeclaration:
    case AST_NODE_TYPES.TSTypeAliasDeclaration:
    case AST_NODE_TYPES.TSEnumDeclaration:
    case AST_NODE_TYPES.TSDeclareFunction:
      return node.id ? [node.id.name] : [];
    case AST_NODE_TYPES.TSModuleDeclaration:
      return node.id.type === AST_NODE_TYPES.Identifier ? [node.id.name] : node.id.type === AST_NODE_TYPES.TSQualifiedName ? (keyTextOfQualified(node.id).match(WORD) ?? []) : [];
    case AST_NODE_TYPES.VariableDeclaration:
      return node.declarations.flatMap((declarator) => bindingNames(declarator.id));
    case AST_NODE_TYPES.ImportDeclaration:
      return node.specifiers.map((specifier) => specifier.local.name);
    case AST_NODE_TYPES.TSImportEqualsDeclaration:
      return [node.id.name];
    case AST_NODE_TYPES.ExpressionStatement:
      // `exports.f = …`, `C.prototype.m = …`, `f = …`: the assigned name.
      return node.expression.type === AST_NODE_TYPES.AssignmentExpression ? assignedNames(node.expression.left) : [];
    default:
      return [];
  }
}

function keyTextOfQualified(node: TSESTree.EntityName): string {
  return node.type === AST_NODE_TYPES.TSQualifiedName ? `${keyTextOfQualified(node.left)} ${node.right.name}` : node.type === AST_NODE_TYPES.Identifier ? node.name : '';
}

function assignedNames(target: TSESTree.Node): string[] {
  if (target.type === AST_NODE_TYPES.Identifier) return [target.name];
  if (target.type === AST_NODE_TYPES.MemberExpression) return target.property.type === AST_NODE_TYPES.Identifier ? [target.property.name] : keyText(target.property).match(WORD) ?? [];
  return bindingNames(target);
}

function bindingNames(pattern: TSESTree.Node): string[] {
  switch (pattern.type) {
    case AST_NODE_TYPES.Identifier:
      return [pattern.name];
    case AST_NODE_TYPES.ObjectPattern:
      return pattern.properties.flatMap((property) => bindingNames(property.type === AST_NODE_TYPES.RestElement ? property.argument : property.value));
    case AST_NODE_TYPES.ArrayPattern:
      return pattern.elements.flatMap((element) => (element ? bindingNames(element) : []));
    case AST_NODE_TYPES.RestElement:
      return bindingNames(pattern.argument);
    case AST_NODE_TYPES.AssignmentPattern:
      return bindingNames(pattern.left);
    default:
      return [];
  }
}
