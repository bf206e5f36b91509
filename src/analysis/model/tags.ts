import ts from 'typescript';

export const RELEASE_TAG = 'release';
export const ACQUIRE_TAG = 'acquire';
export const HANDLE_TAG = 'handle';

export interface DeclarationTags {
  readonly acquire: boolean;
  /** Parameter index released, `receiver`, or undefined when not tagged. */
  readonly release: number | 'receiver' | undefined;
}

/** The JSDoc tags of a declaration: `@acquire`, `@release [param]` (cached per declaration). */
export class DeclarationTagReader {
  private readonly tagCache = new Map<ts.Declaration, DeclarationTags>();

  tagsOf(declaration: ts.Declaration): DeclarationTags {
    const cached = this.tagCache.get(declaration);
    if (cached) return cached;
    let acquire = false;
    let release: DeclarationTags['release'];
    const parameters = ts.isFunctionLike(declaration) ? declaration.parameters : undefined;
    for (const tag of ts.getJSDocTags(declaration)) {
      const name = tag.tagName.text;
      if (name === ACQUIRE_TAG) acquire = true;
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
    const tags = { acquire, release };
    this.tagCache.set(declaration, tags);
    return tags;
  }
}
