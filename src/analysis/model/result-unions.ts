/**
 * A result that holds a handle only on its failure path: `'value' in result` on
 * quickjs's `DisposableSuccess<number> | DisposableFail<QuickJSHandle>` (what
 * `runtime.executePendingJobs()` returns). On the side of the test whose members
 * hold no handle, the value is nothing to release.
 */
import ts from 'typescript';

/**
 * Does every member of `type` on one side of `'property' in value` hold no handle? `present`: the side
 * where the test is true (members that declare the property), else the side where it is false (members
 * that lack it or declare it optional). No when the test does not split the union.
 */
export function sideHoldsNoHandle(type: ts.Type, property: string, present: boolean, isHandleType: (type: ts.Type) => boolean, checker: ts.TypeChecker): boolean {
  if (!type.isUnion()) return false;
  const side: ts.Type[] = [];
  let other = 0;
  for (const member of type.types) {
    if (member.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined)) continue;
    const declared = checker.getPropertyOfType(member, property);
    const onTrueSide = declared !== undefined;
    const onFalseSide = declared === undefined || (declared.flags & ts.SymbolFlags.Optional) !== 0;
    if (present ? onTrueSide : onFalseSide) side.push(member);
    if (present ? onFalseSide : onTrueSide) other++;
  }
  if (side.length === 0 || other === 0) return false;
  return side.every((member) => holdsNoHandle(member, isHandleType, checker));
}

/**
 * Primitives; a plain object whose properties are all primitives (`{ value: number }`; a `T` may be a
 * handle); a handle class whose type arguments are all primitives (`DisposableSuccess<number>`).
 */
function holdsNoHandle(member: ts.Type, isHandleType: (type: ts.Type) => boolean, checker: ts.TypeChecker): boolean {
  if (isPrimitive(member)) return true;
  if (isHandleType(member)) {
    const typeArguments = member.flags & ts.TypeFlags.Object && (member as ts.ObjectType).objectFlags & ts.ObjectFlags.Reference ? checker.getTypeArguments(member as ts.TypeReference) : [];
    return typeArguments.length > 0 && typeArguments.every(isPrimitive);
  }
  return checker.getPropertiesOfType(member).every((symbol) => {
    const declaration = symbol.valueDeclaration ?? symbol.declarations?.[0];
    return declaration !== undefined && isPrimitive(checker.getTypeOfSymbolAtLocation(symbol, declaration));
  });
}

function isPrimitive(type: ts.Type): boolean {
  const primitive = ts.TypeFlags.NumberLike | ts.TypeFlags.StringLike | ts.TypeFlags.BooleanLike | ts.TypeFlags.BigIntLike | ts.TypeFlags.Void | ts.TypeFlags.Undefined | ts.TypeFlags.Null | ts.TypeFlags.Never;
  return type.isUnion() ? type.types.every(isPrimitive) : (type.flags & primitive) !== 0;
}
