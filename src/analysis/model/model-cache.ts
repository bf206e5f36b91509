/** One handle model per program and options, shared by every file of the program; the compiled specs per settings. */
import type ts from 'typescript';
import type { AnalysisOptions } from '../program/input.js';
import type { HandleModelOptions } from './handle-model.js';
import { defaultHandleModelOptions, HandleModel } from './handle-model.js';
import { CompiledSpecs, presets } from './presets/index.js';
import type { HandleLifetimeSettings } from './settings.js';
import { specFromSettings } from './settings.js';

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

const modelCache = new WeakMap<ts.Program, Map<string, HandleModel>>();

/** The model for a program, shared by every file of it (its caches are per type and declaration). */
export function handleModelFor(program: ts.Program, options: AnalysisOptions = {}): HandleModel {
  // The rules ask once per file each, with the same settings object: skip compiling the specs and the key.
  const settings = options.model === undefined ? options.settings : undefined;
  const bySettings = settings ? modelsBySettings.get(program) : undefined;
  const known = settings ? bySettings?.get(settings) : undefined;
  if (known) return known;
  const model = modelFor(program, options);
  if (settings) {
    if (bySettings) bySettings.set(settings, model);
    else modelsBySettings.set(program, new WeakMap([[settings, model]]));
  }
  return model;
}

const modelsBySettings = new WeakMap<ts.Program, WeakMap<HandleLifetimeSettings, HandleModel>>();

function modelFor(program: ts.Program, options: AnalysisOptions): HandleModel {
  const specs = options.model?.specs ?? compiledSpecsFor(options.settings);
  const resolved: HandleModelOptions = {
    ...defaultHandleModelOptions,
    ...options.model,
    // Presets add their liveness checks (`alive`, `isDeleted`) to the defaults.
    livenessMemberNames: [...new Set([...(options.model?.livenessMemberNames ?? defaultHandleModelOptions.livenessMemberNames), ...specs.livenessMembers])],
    specs,
    ...(options.settings?.notHandles?.length ? { notHandles: options.settings.notHandles } : {}),
  };
  // The specs serialise to their key (CompiledSpecs#toJSON).
  const key = JSON.stringify(resolved);
  let byOptions = modelCache.get(program);
  if (!byOptions) modelCache.set(program, (byOptions = new Map()));
  let model = byOptions.get(key);
  if (!model) byOptions.set(key, (model = new HandleModel(program, resolved)));
  return model;
}
