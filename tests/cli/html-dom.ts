// Reading the HTML report through parse5, the HTML5 parsing algorithm browsers use.
import { parse } from 'parse5';
import type { DefaultTreeAdapterMap } from 'parse5';

export type Element = DefaultTreeAdapterMap['element'];
type Node = DefaultTreeAdapterMap['node'];

export interface ParsedPage {
  readonly document: DefaultTreeAdapterMap['document'];
  /** parse5's parse errors: markup a browser would have to repair. */
  readonly errors: readonly string[];
}

export function parsePage(text: string): ParsedPage {
  const errors: string[] = [];
  const document = parse(text, { onParseError: (error) => errors.push(`${error.code} at ${error.startLine}:${error.startCol}`) });
  return { document, errors };
}

function childNodesOf(node: Node): Node[] {
  const children = 'childNodes' in node ? [...node.childNodes] : [];
  // A <template>'s children live in its content fragment.
  if ('content' in node && node.content) children.push(...node.content.childNodes);
  return children;
}

/** Every element under `root`, in document order. */
export function elements(root: Node): Element[] {
  const found: Element[] = [];
  const visit = (node: Node): void => {
    for (const child of childNodesOf(node)) {
      if ('tagName' in child) found.push(child);
      visit(child);
    }
  };
  visit(root);
  return found;
}

export function attr(element: Element, name: string): string | undefined {
  return element.attrs.find((attribute) => attribute.name === name)?.value;
}

export function hasClass(element: Element, name: string): boolean {
  return (attr(element, 'class') ?? '').split(/\s+/).includes(name);
}

export function byTag(root: Node, tagName: string): Element[] {
  return elements(root).filter((element) => element.tagName === tagName);
}

export function byClass(root: Node, name: string): Element[] {
  return elements(root).filter((element) => hasClass(element, name));
}

export function byId(root: Node, id: string): Element | undefined {
  return elements(root).find((element) => attr(element, 'id') === id);
}

/** The text a reader sees, without the elements `skip` picks (as the number badges inside a line of code). */
export function textOf(node: Node, skip: (element: Element) => boolean = () => false): string {
  if (node.nodeName === '#text') return (node as DefaultTreeAdapterMap['textNode']).value;
  if ('tagName' in node && skip(node)) return '';
  return childNodesOf(node)
    .map((child) => textOf(child, skip))
    .join('');
}

/** The element children of a node (no text nodes). */
export function childElements(node: Element): Element[] {
  return node.childNodes.filter((child): child is Element => 'tagName' in child);
}
