/** One handle model per program and options, shared by every file of the program; the compiled specs and resolved options per settings. */
import type ts from 'typescript';
import type { AnalysisOptions } from '../program/input.js';
import type { HandleModelOptions } from './handle-model.js';
import { defaultHandleModelOptions, HandleModel } from './handle-model.js';
import { CompiledSpecs, presets } from './presets/index.js';
import type { HandleLifetimeSettings } from './settings.js';
import { inferenceThresholdsFor, specFromSettings } from './settings.js';

const compiledSpecsCache = new Map<string, CompiledSpecs>();

/** The presets that are on, after the settings' own spec (settings win over presets). */
export function compiledSpecsFor(settings: HandleLifetimeSettings = {}): CompiledSpecs {
  const fromSettings = specFromSettings(settings);
  const specs = [...(fromSettings ? [fromSettings] : []), ...presets.filter((preset) => settings.presets?.[preset.name] !== false)];
  const compiled = new CompiledSpecs(specs);
  const cached = compiledSpecsCache.get(compiled.key);
  if (cached) return cached;
  compiledSpecsCache.set(compiled.key, compiled);
  return compiled;
}

/** Model options resolved from analysis options, with the key models are cached by. */
interface ResolvedOptions {
  readonly options: HandleModelOptions;
  readonly key: string;
}

/**
 * Per settings object (ESLint hands every rule of a config the same one): the specs compiled and
 * the options resolved once, not once per program (an editor builds a program per edit, and the
 * key alone serialises every preset).
 */
const resolvedBySettings = new WeakMap<HandleLifetimeSettings, ResolvedOptions>();
const modelCache = new WeakMap<ts.Program, Map<string, HandleModel>>();

/** The model for a program, shared by every file of it (its caches are per type and declaration). */
export function handleModelFor(program: ts.Program, options: AnalysisOptions = {}): HandleModel {
  const settings = options.model === undefined ? options.settings : undefined;
  let resolved = settings ? resolvedBySettings.get(settings) : undefined;
  if (!resolved) {
    resolved = resolveOptions(options);
    if (settings) resolvedBySettings.set(settings, resolved);
  }
  let byOptions = modelCache.get(program);
  if (!byOptions) modelCache.set(program, (byOptions = new Map()));
  let model = byOptions.get(resolved.key);
  if (!model) byOptions.set(resolved.key, (model = new HandleModel(program, resolved.options)));
  return model;
}

function resolveOptions(options: AnalysisOptions): ResolvedOptions {
  const specs = options.model?.specs ?? compiledSpecsFor(options.settings);
  const resolved: HandleModelOptions = {
    ...defaultHandleModelOptions,
    ...options.model,
    // Presets add their liveness checks (`alive`, `isDeleted`) to the defaults.
    livenessMemberNames: [...new Set([...(options.model?.livenessMemberNames ?? defaultHandleModelOptions.livenessMemberNames), ...specs.livenessMembers])],
    specs,
    ...(options.settings?.notHandles?.length ? { notHandles: options.settings.notHandles } : {}),
    ...(options.settings?.inferFromUsage !== undefined ? { inferFromUsage: inferenceThresholdsFor(options.settings.inferFromUsage) } : {}),
  };
  // The specs serialise to their key (CompiledSpecs#toJSON).
  return { options: resolved, key: JSON.stringify(resolved) };
}
