/** The library presets, on by default; `settings['handle-lifetime'].presets` turns any off by name. */
import { bunFfi } from './bun-ffi.js';
import { canvaskit } from './canvaskit.js';
import { denoFfi } from './deno-ffi.js';
import { embind } from './embind.js';
import { koffi } from './koffi.js';
import { opencv } from './opencv.js';
import { platformNode, platformWeb } from './platform.js';
import { quickjsEmscripten } from './quickjs-emscripten.js';
import { sqlJs } from './sql-js.js';
import { tfjs } from './tfjs.js';
import type { HandleApiSpec } from './types.js';
import { wasmBindgen } from './wasm-bindgen.js';
import { webTreeSitter } from './web-tree-sitter.js';
import { webidlBinder } from './webidl-binder.js';

export type { CallbackOwnership, CallPattern, HandleApiSpec, HandleShape, ModuleName, ModuleShape, NativeCallbackSpec, Operand, OperandPattern, ScopePattern } from './types.js';
export { CompiledSpecs, SpecMatcher } from './matcher.js';
export type { SpecCallEffect } from './matcher.js';

/** Library-specific presets first: a type both opencv and the generic embind preset match is opencv's. */
export const presets: readonly HandleApiSpec[] = [
  quickjsEmscripten,
  webTreeSitter,
  sqlJs,
  tfjs,
  opencv,
  denoFfi,
  bunFfi,
  koffi,
  canvaskit,
  embind,
  webidlBinder,
  wasmBindgen,
  platformWeb,
  platformNode,
];

// A preset may be several specs under one name (the platform's web and Node halves).
export const presetNames: readonly string[] = [...new Set(presets.map((preset) => preset.name))];
