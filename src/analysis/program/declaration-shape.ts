/**
 * The shape of a file's declarations: its syntax without comments (JSDoc
 * aside) and without the bodies of TypeScript functions whose return type
 * is written (only whether a body is empty). Two versions of a file with the
 * same shape give every other file the same types: an edit inside such a
 * body, or to a comment, changes nothing another file sees.
 */
import ts from 'typescript';

/** Flags of a node that change what it declares (`let` / `const` / `using`, `namespace`, `global`, `?.`). */
const SHAPE_FLAGS = ts.NodeFlags.BlockScoped | ts.NodeFlags.NestedNamespace | ts.NodeFlags.Namespace | ts.NodeFlags.OptionalChain | ts.NodeFlags.GlobalAugmentation;

const shapes = new WeakMap<ts.SourceFile, string>();

export function declarationShape(file: ts.SourceFile): string {
  let shape = shapes.get(file);
  if (shape === undefined) {
    shape = computeShape(file);
    shapes.set(file, shape);
  }
  return shape;
}

function computeShape(file: ts.SourceFile): string {
  const parts: string[] = [];
  // In JavaScript a method's `this.x = …` declares a member: no body is left out.
  const bodiesDeclare = (file.flags & ts.NodeFlags.JavaScriptFile) !== 0;
  const text = (value: string): void => {
    parts.push(`${value.length}:${value}`);
  };
  const visit = (node: ts.Node): void => {
    parts.push(String(node.kind));
    const flags = node.flags & SHAPE_FLAGS;
    if (flags) parts.push(`f${flags}`);
    if (ts.isIdentifier(node) || ts.isPrivateIdentifier(node) || ts.isLiteralExpression(node) || ts.isTemplateLiteralToken(node) || ts.isJsxText(node)) text(node.text);
    // Tags (`@handle`, `@acquire`) and, in JavaScript, types are written in JSDoc.
    for (const doc of (node as { readonly jsDoc?: readonly ts.JSDoc[] }).jsDoc ?? []) text(file.text.slice(doc.pos, doc.end));
    if (!bodiesDeclare && ts.isFunctionLike(node) && node.type !== undefined && 'body' in node && node.body) {
      const body = node.body as ts.Node;
      ts.forEachChild(node, (child) => {
        if (child !== body) visit(child);
      });
      // A class whose release methods have empty bodies owns nothing (HandleTypes#hasNoOpDisposal).
      parts.push(ts.isBlock(body) && body.statements.length === 0 ? '{}' : '{…}');
    } else ts.forEachChild(node, visit);
    parts.push(')');
  };
  visit(file);
  return parts.join(' ');
}
