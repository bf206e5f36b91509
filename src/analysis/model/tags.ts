import ts from 'typescript';

export const RELEASE_TAG = 'release';
export const ACQUIRE_TAG = 'acquire';
export const HANDLE_TAG = 'handle';
export const BORROW_TAG = 'borrow';

export interface DeclarationTags {
  readonly acquire: boolean;
  /** `@borrow`: the handle the call returns stays owned by someone else (a Disposable child of the receiver). */
  readonly borrow: boolean;
  /** Parameter index released, `receiver`, or undefined when not tagged. */
  readonly release: number | 'receiver' | undefined;
}

/**
 * Per declaration node, for every program: tags are the text of the node's JSDoc, and a node
 * outlives its program only while its file is unchanged (an editor's next program keeps the
 * `ts.SourceFile` of every file that did not change).
 */
const tagCache = new WeakMap<ts.Declaration, DeclarationTags>();

/** The JSDoc tags of a declaration: `@acquire`, `@borrow`, `@release [param]` (cached per declaration). */
export class DeclarationTagReader {
  tagsOf(declaration: ts.Declaration): DeclarationTags {
    const cached = tagCache.get(declaration);
    if (cached) return cached;
    let acquire = false;
    let borrow = false;
    let release: DeclarationTags['release'];
    const parameters = ts.isFunctionLike(declaration) ? declaration.parameters : undefined;
    for (const tag of ts.getJSDocTags(declaration)) {
      const name = tag.tagName.text;
      if (name === ACQUIRE_TAG) acquire = true;
      else if (name === BORROW_TAG) borrow = true;
      else if (name === RELEASE_TAG) {
        const comment = typeof tag.comment === 'string' ? tag.comment : ts.getTextOfJSDocComment(tag.comment);
        const target = comment?.trim().split(/\s+/)[0]?.replace(/^\{.*\}$/, '');
        if (target === 'this') release = 'receiver';
        else if (target && parameters) {
          const index = parameters.findIndex((p) => ts.isIdentifier(p.name) && p.name.text === target);
          release = index >= 0 ? index : parameters.length > 0 ? 0 : 'receiver';
        } else release = parameters && parameters.length > 0 ? 0 : 'receiver';
      }
    }
    const tags = { acquire, borrow, release };
    tagCache.set(declaration, tags);
    return tags;
  }
}
