/**
 * Fields a class sets apart, never together: a wrapper that holds either a
 * platform codec (`this.decoder`) or a custom one (`this.customDecoder`).
 * Where a method finds `this.customDecoder` set, `this.decoder` holds
 * nothing, so a release method that closes the codec only on the other side
 * of that test releases it on every path that holds one.
 *
 * Field X excludes field F when, in every instance after its constructor:
 * - X gets a value (not null or undefined) only in the constructor's own
 *   body, and F starts empty (no initialiser, or `null` or `undefined`);
 * - each place F gets a value is where X is empty: in the constructor, in the
 *   other branch of an `if` that holds every place X gets one (the `if` not
 *   in a loop); elsewhere under a test that X is empty (`if (this.X) … else`,
 *   `if (!this.X)`), or in a method whose every caller is, which nothing but
 *   the class's `this.m()` calls (the file names it nowhere else; private, or
 *   of a class the module does not export and whose name no other file of the
 *   program mentions), and which the constructor does not reach;
 * - nothing outside the class's own `this` writes either field, and neither is
 *   written through a pattern.
 */
import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import type { FileContext } from '../../program/file-context.js';
import { forEachChild, memberName } from '../ast.js';
import { isNullish, nullComparison, skipTypeWrappers } from './syntax.js';

type ClassNode = TSESTree.ClassDeclaration | TSESTree.ClassExpression;
type Method = TSESTree.MethodDefinition;

interface FieldWrite {
  readonly node: TSESTree.Node;
  /** The method (or constructor) whose body holds the write; none for a field initialiser. */
  readonly method: Method | null;
  /** Inside an arrow function of that method: it may run later, so only tests inside the arrow count. */
  readonly nested: boolean;
  readonly empty: boolean;
}

interface ClassFields {
  readonly writes: Map<string, FieldWrite[]>;
  /** Fields written in a way the check cannot follow (a pattern, `this` passed along as a write target). */
  readonly opaque: Set<string>;
  /** `this.m` references per member name: the node and its method. */
  readonly references: Map<string, { node: TSESTree.MemberExpression; method: Method }[]>;
  readonly methods: Map<string, Method>;
  constructorNode: Method | undefined;
  /** Fields the class declares (a property or a constructor's parameter property). */
  readonly declared: Set<string>;
  readonly excludedCache: Map<string, readonly string[]>;
}

const classFieldsCache = new WeakMap<ClassNode, ClassFields>();
/** The fields the constructor's own body sets (the cheap look before the class is walked). */
const constructorSetsCache = new WeakMap<ClassNode, ReadonlySet<string>>();
/** The writes each member name gets anywhere in a file (`this.decoder = …`, `wrapper.decoder = …`): the target member. */
const fileWritesCache = new WeakMap<TSESTree.Program, Map<string, TSESTree.MemberExpression[]>>();

/**
 * The fields that hold nothing wherever `this.<field>` is set, in the class whose `this` the
 * function `fn` sees (empty outside a class's methods).
 */
export function fieldsExcludedBy(fn: TSESTree.Node, field: string, file: FileContext): readonly string[] {
  const classNode = classOfThis(fn);
  if (!classNode || !constructorSets(classNode).has(field)) return [];
  const fields = fieldsOfClass(classNode);
  let excluded = fields.excludedCache.get(field);
  if (excluded === undefined) {
    excluded = computeExcluded(classNode, fields, field, file);
    fields.excludedCache.set(field, excluded);
  }
  return excluded;
}

function fieldsOfClass(classNode: ClassNode): ClassFields {
  let fields = classFieldsCache.get(classNode);
  if (!fields) classFieldsCache.set(classNode, (fields = collectClassFields(classNode)));
  return fields;
}

function constructorSets(classNode: ClassNode): ReadonlySet<string> {
  let names = constructorSetsCache.get(classNode);
  if (names) return names;
  const found = (names = new Set<string>());
  const constructorNode = classNode.body.body.find((member) => member.type === AST_NODE_TYPES.MethodDefinition && member.kind === 'constructor');
  const visit = (node: TSESTree.Node): void => {
    if (node.type === AST_NODE_TYPES.FunctionExpression || node.type === AST_NODE_TYPES.ArrowFunctionExpression || node.type === AST_NODE_TYPES.FunctionDeclaration) return;
    if (node.type === AST_NODE_TYPES.ClassDeclaration || node.type === AST_NODE_TYPES.ClassExpression) return;
    if (node.type === AST_NODE_TYPES.AssignmentExpression && !isEmpty(node.right)) {
      const name = thisMemberName(node.left);
      if (name !== null) found.add(name);
    }
    forEachChild(node, visit);
  };
  if (constructorNode?.type === AST_NODE_TYPES.MethodDefinition && constructorNode.value.body) forEachChild(constructorNode.value.body, visit);
  constructorSetsCache.set(classNode, names);
  return names;
}

/** `null`, `undefined`, `void …`: no value, to a truthiness test and to a comparison with null alike (not `0` or `false`). */
function isEmpty(node: TSESTree.Node): boolean {
  return isNullish(node) && !(node.type === AST_NODE_TYPES.Literal && node.value === 0);
}

function computeExcluded(classNode: ClassNode, fields: ClassFields, tested: string, file: FileContext): readonly string[] {
  const constructorNode = fields.constructorNode;
  const testedSets = (fields.writes.get(tested) ?? []).filter((write) => !write.empty);
  if (!constructorNode || testedSets.length === 0 || !followed(tested, fields, classNode, file)) return [];
  if (!testedSets.every((write) => write.method === constructorNode && !write.nested)) return [];
  const fromConstructor = methodsReachedFrom(constructorNode, fields);
  const excluded: string[] = [];
  for (const [name, writes] of fields.writes) {
    if (name === tested || !followed(name, fields, classNode, file)) continue;
    const sets = writes.filter((write) => !write.empty);
    if (sets.length === 0 || sets.some((write) => write.method === null || fromConstructor.has(write.method))) continue;
    const apart = sets.every((write) =>
      write.method === constructorNode
        ? !write.nested && testedSets.every((testedWrite) => inOtherBranch(testedWrite.node, write.node, constructorNode.value))
        : emptyAt(write.node, write.method!, write.nested, tested, fields, classNode, file, new Set()),
    );
    if (apart) excluded.push(name);
  }
  return excluded;
}

/**
 * The class declares the field, and every write to it in the file is one the class walk saw, or
 * is on `this` in a method of another class that does not extend this one.
 */
function followed(name: string, fields: ClassFields, classNode: ClassNode, file: FileContext): boolean {
  if (!fields.declared.has(name) || fields.opaque.has(name)) return false;
  const seen = new Set((fields.writes.get(name) ?? []).map((write) => write.node));
  return (fileWrites(file.ast).get(name) ?? []).every((target) => {
    const write = target.parent;
    if (seen.has(write)) return true;
    if (target.object.type !== AST_NODE_TYPES.ThisExpression) return false;
    const other = classOfThis(enclosingFunction(target));
    return other !== null && other !== classNode && !mayExtend(other, classNode, file.ast);
  });
}

function enclosingFunction(node: TSESTree.Node): TSESTree.Node {
  let current: TSESTree.Node | undefined = node.parent;
  while (current && current.type !== AST_NODE_TYPES.FunctionExpression && current.type !== AST_NODE_TYPES.ArrowFunctionExpression && current.type !== AST_NODE_TYPES.FunctionDeclaration) {
    current = current.parent;
  }
  return current ?? node;
}

/** Can instances of `other` be instances of `base`: its chain of superclasses, followed by name through the file's classes, reaches `base` or leaves the file. */
function mayExtend(other: ClassNode, base: ClassNode, program: TSESTree.Program): boolean {
  let current: ClassNode | undefined = other;
  for (let depth = 0; current && depth < 16; depth++) {
    const superClass: TSESTree.Expression | null = current.superClass;
    if (!superClass) return false;
    if (superClass.type !== AST_NODE_TYPES.Identifier) return true;
    if (base.id?.name === superClass.name) return true;
    current = program.body
      .map((statement) => (statement.type === AST_NODE_TYPES.ExportNamedDeclaration || statement.type === AST_NODE_TYPES.ExportDefaultDeclaration ? statement.declaration : statement))
      .find((statement): statement is TSESTree.ClassDeclaration => statement?.type === AST_NODE_TYPES.ClassDeclaration && statement.id?.name === superClass.name);
    // A superclass from another module extends this one only if this one is exported.
    if (!current) return base.type !== AST_NODE_TYPES.ClassDeclaration || isExported(base);
  }
  return true;
}

/** The methods the constructor calls or hands out (`this.m` anywhere in it), and those they reach in turn. */
function methodsReachedFrom(constructorNode: Method, fields: ClassFields): Set<Method> {
  const reached = new Set<Method>();
  const queue = [constructorNode];
  while (queue.length > 0) {
    const from = queue.pop()!;
    for (const [name, references] of fields.references) {
      const method = fields.methods.get(name);
      if (method && method !== constructorNode && !reached.has(method) && references.some((reference) => reference.method === from)) {
        reached.add(method);
        queue.push(method);
      }
    }
  }
  return reached;
}

/** `a` and `b` sit in opposite branches of one `if` of `body`, not inside a loop of it. */
function inOtherBranch(a: TSESTree.Node, b: TSESTree.Node, body: TSESTree.Node): boolean {
  const ancestorsOfA = new Set<TSESTree.Node>();
  for (let node: TSESTree.Node | undefined = a; node && node !== body; node = node.parent) ancestorsOfA.add(node);
  let child: TSESTree.Node = b;
  for (let node = b.parent; node && node !== body; child = node, node = node.parent) {
    if (!ancestorsOfA.has(node)) continue;
    if (node.type !== AST_NODE_TYPES.IfStatement || !node.alternate || child === node.test) return false;
    const otherBranch = child === node.consequent ? node.alternate : node.consequent;
    return ancestorsOfA.has(otherBranch) && !insideLoop(node, body);
  }
  return false;
}

function insideLoop(node: TSESTree.Node, body: TSESTree.Node): boolean {
  for (let current = node.parent; current && current !== body; current = current.parent) {
    if (/^(For|ForIn|ForOf|While|DoWhile)Statement$/.test(current.type)) return true;
  }
  return false;
}

/** Is `this.<tested>` empty where `node` runs: under a test of it in the same function, or in a method only such places call? */
function emptyAt(
  node: TSESTree.Node,
  method: Method,
  nested: boolean,
  tested: string,
  fields: ClassFields,
  classNode: ClassNode,
  file: FileContext,
  visiting: Set<Method>,
): boolean {
  // In the constructor (or a callback it makes) the field may be set later on the same path.
  if (method === fields.constructorNode) return false;
  let child = node;
  for (let current = node.parent; current; child = current, current = current.parent) {
    if (current === method.value || (nested && current.type === AST_NODE_TYPES.ArrowFunctionExpression)) break;
    if (current.type === AST_NODE_TYPES.IfStatement || current.type === AST_NODE_TYPES.ConditionalExpression) {
      const truth = testsField(current.test, tested);
      if (truth !== null && child !== current.test && (child === current.consequent) !== truth) return true;
    }
  }
  if (nested || method.kind !== 'method' || visiting.has(method) || visiting.size > 8) return false;
  const name = method.key.type === AST_NODE_TYPES.Identifier || method.key.type === AST_NODE_TYPES.PrivateIdentifier ? method.key.name : null;
  if (name === null || fields.methods.get(name) !== method || !callableOnlyInside(method, name, classNode, file)) return false;
  const callers = fields.references.get(name) ?? [];
  visiting.add(method);
  const guarded =
    callers.length > 0 &&
    callers.every(
      (caller) =>
        caller.node.parent.type === AST_NODE_TYPES.CallExpression &&
        caller.node.parent.callee === caller.node &&
        emptyAt(caller.node.parent, caller.method, insideArrow(caller.node, caller.method), tested, fields, classNode, file, visiting),
    );
  visiting.delete(method);
  return guarded;
}

/** `this.X`, `this.X != null` (true: set when the test is true), `!this.X`, `this.X === null` (false), else null. */
function testsField(test: TSESTree.Expression, field: string): boolean | null {
  let negated = false;
  let current: TSESTree.Expression = skipTypeWrappers(test);
  while (current.type === AST_NODE_TYPES.UnaryExpression && current.operator === '!') {
    negated = !negated;
    current = skipTypeWrappers(current.argument);
  }
  const comparison = current.type === AST_NODE_TYPES.BinaryExpression ? nullComparison(current) : null;
  if (comparison) {
    negated = negated !== comparison.equal;
    current = skipTypeWrappers(comparison.operand);
  }
  if (current.type === AST_NODE_TYPES.MemberExpression && current.object.type === AST_NODE_TYPES.ThisExpression && memberName(current) === field) return !negated;
  return null;
}

/**
 * Nothing but the class's own `this.m` calls can call the method: the file names it nowhere else
 * (another instance's `other.m()`), and it is private, or its class is not exported and no other
 * file of the program mentions the name.
 */
function callableOnlyInside(method: Method, name: string, classNode: ClassNode, file: FileContext): boolean {
  const own = file.tsNode(file.ast)?.getSourceFile();
  if (!own || wordCount(own.text, name) > (fieldsOfClass(classNode).references.get(name)?.length ?? 0) + 1) return false;
  if (method.key.type === AST_NODE_TYPES.PrivateIdentifier || method.accessibility === 'private') return true;
  if (classNode.type !== AST_NODE_TYPES.ClassDeclaration || classNode.id === null || isExported(classNode)) return false;
  return file.services.program.getSourceFiles().every((other) => other === own || other.isDeclarationFile || !other.text.includes(name));
}

/** How often `word` stands in `text` as a whole word (comments and strings too: more is the cautious side). */
function wordCount(text: string, word: string): number {
  let count = 0;
  for (let at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + word.length)) {
    const before = at > 0 ? text[at - 1]! : ' ';
    const after = text[at + word.length] ?? ' ';
    if (!/[\w$]/.test(before) && !/[\w$]/.test(after)) count++;
  }
  return count;
}

function isExported(classNode: TSESTree.ClassDeclaration): boolean {
  const parent = classNode.parent;
  if (parent?.type === AST_NODE_TYPES.ExportNamedDeclaration || parent?.type === AST_NODE_TYPES.ExportDefaultDeclaration) return true;
  const name = classNode.id?.name;
  let program: TSESTree.Node | undefined = parent;
  while (program && program.type !== AST_NODE_TYPES.Program) program = program.parent;
  if (!program || program.type !== AST_NODE_TYPES.Program) return true;
  return program.body.some(
    (statement) =>
      (statement.type === AST_NODE_TYPES.ExportNamedDeclaration && statement.specifiers.some((specifier) => specifier.local.type === AST_NODE_TYPES.Identifier && specifier.local.name === name)) ||
      (statement.type === AST_NODE_TYPES.ExportDefaultDeclaration && statement.declaration.type === AST_NODE_TYPES.Identifier && statement.declaration.name === name),
  );
}

/** The class whose instance `this` is in `fn`: a method's function, or an arrow function inside one. */
function classOfThis(fn: TSESTree.Node): ClassNode | null {
  let current: TSESTree.Node | undefined = fn;
  while (current?.type === AST_NODE_TYPES.ArrowFunctionExpression) {
    let parent: TSESTree.Node | undefined = current.parent;
    while (parent && parent.type !== AST_NODE_TYPES.ArrowFunctionExpression && parent.type !== AST_NODE_TYPES.FunctionExpression && parent.type !== AST_NODE_TYPES.FunctionDeclaration) {
      if (parent.type === AST_NODE_TYPES.PropertyDefinition || parent.type === AST_NODE_TYPES.ClassBody) return null;
      parent = parent.parent;
    }
    current = parent;
  }
  if (current?.type !== AST_NODE_TYPES.FunctionExpression) return null;
  const method = current.parent;
  if (method?.type !== AST_NODE_TYPES.MethodDefinition || method.static) return null;
  const owner = method.parent.parent;
  return owner.type === AST_NODE_TYPES.ClassDeclaration || owner.type === AST_NODE_TYPES.ClassExpression ? owner : null;
}

function insideArrow(node: TSESTree.Node, method: Method): boolean {
  for (let current = node.parent; current && current !== method.value; current = current.parent) {
    if (current.type === AST_NODE_TYPES.ArrowFunctionExpression) return true;
  }
  return false;
}

function thisMemberName(node: TSESTree.Node): string | null {
  return node.type === AST_NODE_TYPES.MemberExpression && node.object.type === AST_NODE_TYPES.ThisExpression ? memberName(node) : null;
}

/** Every write to a field of `this` in the class's instance members, and every `this.m` reference. */
function collectClassFields(classNode: ClassNode): ClassFields {
  const fields: ClassFields = { writes: new Map(), opaque: new Set(), references: new Map(), methods: new Map(), constructorNode: undefined, declared: new Set(), excludedCache: new Map() };
  const noteWrite = (name: string, write: FieldWrite): void => {
    const list = fields.writes.get(name) ?? [];
    list.push(write);
    fields.writes.set(name, list);
  };
  const visit = (node: TSESTree.Node, method: Method, root: TSESTree.Node): void => {
    if (node !== root && (node.type === AST_NODE_TYPES.FunctionExpression || node.type === AST_NODE_TYPES.FunctionDeclaration)) return;
    if (node.type === AST_NODE_TYPES.ClassDeclaration || node.type === AST_NODE_TYPES.ClassExpression) return;
    if (node.type === AST_NODE_TYPES.AssignmentExpression || node.type === AST_NODE_TYPES.UpdateExpression) {
      const target = node.type === AST_NODE_TYPES.AssignmentExpression ? node.left : node.argument;
      const name = thisMemberName(target);
      if (name !== null) {
        const empty = node.type === AST_NODE_TYPES.AssignmentExpression && node.operator === '=' && isEmpty(node.right);
        noteWrite(name, { node, method, nested: insideArrow(node, method), empty });
      } else if (target.type === AST_NODE_TYPES.ArrayPattern || target.type === AST_NODE_TYPES.ObjectPattern) {
        noteOpaque(target, fields.opaque);
      }
    } else if (node.type === AST_NODE_TYPES.UnaryExpression && node.operator === 'delete') {
      const name = thisMemberName(node.argument);
      if (name !== null) noteWrite(name, { node, method, nested: insideArrow(node, method), empty: true });
    } else if (node.type === AST_NODE_TYPES.MemberExpression && node.object.type === AST_NODE_TYPES.ThisExpression) {
      const name = memberName(node);
      if (name !== null) {
        const list = fields.references.get(name) ?? [];
        list.push({ node, method });
        fields.references.set(name, list);
      }
    } else if (node.type === AST_NODE_TYPES.ForOfStatement || node.type === AST_NODE_TYPES.ForInStatement) {
      if (node.left.type !== AST_NODE_TYPES.VariableDeclaration) noteOpaque(node.left, fields.opaque);
    }
    forEachChild(node, (child) => visit(child, method, root));
  };
  for (const member of classNode.body.body) {
    if (member.type === AST_NODE_TYPES.PropertyDefinition && !member.static) {
      const name = member.key.type === AST_NODE_TYPES.Identifier || member.key.type === AST_NODE_TYPES.PrivateIdentifier ? member.key.name : null;
      if (name === null || member.computed) continue;
      fields.declared.add(name);
      // An initialiser with a value sets the field in every instance: it excludes nothing and is excluded by nothing.
      if (member.value && !isEmpty(member.value)) noteWrite(name, { node: member, method: null, nested: false, empty: false });
    }
    if (member.type !== AST_NODE_TYPES.MethodDefinition || member.static || !member.value.body) continue;
    if (member.kind === 'constructor') {
      fields.constructorNode = member;
      for (const param of member.value.params) {
        if (param.type === AST_NODE_TYPES.TSParameterProperty && param.parameter.type === AST_NODE_TYPES.Identifier) {
          fields.declared.add(param.parameter.name);
          noteWrite(param.parameter.name, { node: param, method: null, nested: false, empty: false });
        }
      }
    } else if (member.kind === 'method' && (member.key.type === AST_NODE_TYPES.Identifier || member.key.type === AST_NODE_TYPES.PrivateIdentifier) && !member.computed) {
      if (fields.methods.has(member.key.name)) fields.opaque.add(member.key.name);
      fields.methods.set(member.key.name, member);
    }
    visit(member.value, member, member.value);
  }
  return fields;
}

function noteOpaque(pattern: TSESTree.Node, opaque: Set<string>): void {
  const visit = (node: TSESTree.Node): void => {
    const name = thisMemberName(node);
    if (name !== null) opaque.add(name);
    else forEachChild(node, visit);
  };
  visit(pattern);
}

/** The writes of each member name in the file, on `this` or any other object, outside field initialisers. */
function fileWrites(program: TSESTree.Program): Map<string, TSESTree.MemberExpression[]> {
  let writes = fileWritesCache.get(program);
  if (writes) return writes;
  const found = (writes = new Map<string, TSESTree.MemberExpression[]>());
  const count = (target: TSESTree.Node): void => {
    const name = target.type === AST_NODE_TYPES.MemberExpression ? memberName(target) : null;
    if (name === null) return;
    const list = found.get(name);
    if (list) list.push(target as TSESTree.MemberExpression);
    else found.set(name, [target as TSESTree.MemberExpression]);
  };
  const visit = (node: TSESTree.Node): void => {
    if (node.type === AST_NODE_TYPES.AssignmentExpression) count(node.left);
    else if (node.type === AST_NODE_TYPES.UpdateExpression) count(node.argument);
    else if (node.type === AST_NODE_TYPES.UnaryExpression && node.operator === 'delete') count(node.argument);
    forEachChild(node, visit);
  };
  visit(program);
  fileWritesCache.set(program, writes);
  return writes;
}
