/**
 * `settings['handle-lifetime']`: handle APIs described in the ESLint config,
 * for code one cannot annotate (a vendored `.d.ts`, a package without tags),
 * and switches for the library presets.
 *
 * ```js
 * settings: {
 *   'handle-lifetime': {
 *     presets: { tfjs: false },
 *     handleTypes: [{ name: 'SwsContext', from: 'ffmpeg-wasm' }],
 *     acquire: [{ function: 'sws_getContext', from: 'ffmpeg-wasm' }],
 *     release: [{ function: 'sws_freeContext', operand: 0 }, { type: 'Codec', method: 'shutdown' }],
 *   },
 * }
 * ```
 *
 * The settings are checked against a schema (a small validator below: no
 * runtime dependency); a bad entry throws an Error that names its path.
 */
import type { InferenceThresholds } from '../inference/ranking.js';
import { defaultInferenceThresholds } from '../inference/ranking.js';
import type { CallPattern, HandleApiSpec, ModuleName, OperandPattern } from './presets/types.js';

export interface CallEntry {
  readonly function?: string;
  readonly type?: string;
  readonly method?: string;
  readonly from?: string | readonly string[];
}

export interface OperandEntry extends CallEntry {
  readonly operand?: number | 'receiver';
}

export interface HandleTypeEntry {
  readonly name: string;
  readonly from?: string | readonly string[];
}

export interface HandleLifetimeSettings {
  /** Presets by name; `false` turns one off. */
  readonly presets?: Readonly<Record<string, boolean>>;
  readonly handleTypes?: readonly (string | HandleTypeEntry)[];
  readonly acquire?: readonly (string | CallEntry)[];
  readonly borrow?: readonly (string | CallEntry)[];
  readonly release?: readonly (string | OperandEntry)[];
  readonly takeOwnership?: readonly (string | OperandEntry)[];
  readonly use?: readonly (string | OperandEntry)[];
  /** Calls that throw by contract: a handle that leaks when one throws is reported in `recommended`. */
  readonly throws?: readonly (string | CallEntry)[];
  /**
   * Classes or interfaces whose `[Symbol.dispose]` or `[Symbol.asyncDispose]` owns no resource
   * (puppeteer's `EventEmitter`, which only detaches listeners): a value that is Disposable only
   * through one of them is no handle.
   */
  readonly notHandles?: readonly string[];
  /**
   * Infer which untyped APIs acquire from the program's own usage: `false` turns it off; an object
   * moves the thresholds (see src/analysis/inference/ranking.ts). On by default.
   */
  readonly inferFromUsage?: false | InferenceSettings;
}

export interface InferenceSettings {
  /** At least this many functions release the API's values on every path (default 3). */
  readonly minReleasing?: number;
  /** At least this share of the functions that keep a value release it (default 0.75). */
  readonly minRatio?: number;
  /** The least z score, against a release share of `minRatio`, of the evidence the rules report by default (default 0.4). */
  readonly minZ?: number;
  /** The least z score of the evidence the rules report with `checkWeaklyInferred` (`strict`, `all`; default 0.2). */
  readonly weakMinZ?: number;
}

// ---------------------------------------------------------------- schema

type Schema =
  | { readonly type: 'string'; readonly minLength?: number; readonly description: string }
  | { readonly type: 'boolean'; readonly description: string }
  | { readonly type: 'integer'; readonly minimum?: number; readonly description: string }
  | { readonly type: 'number'; readonly minimum?: number; readonly maximum?: number; readonly description: string }
  | { readonly enum: readonly unknown[]; readonly description: string }
  | { readonly type: 'array'; readonly items: Schema; readonly description: string }
  | {
      readonly type: 'object';
      readonly properties?: Readonly<Record<string, Schema>>;
      /** `false`: no other keys; a schema: the type of every other key. */
      readonly additionalProperties: false | Schema;
      readonly required?: readonly string[];
      readonly description: string;
    }
  | { readonly anyOf: readonly Schema[]; readonly description: string };

const nameSchema: Schema = { type: 'string', minLength: 1, description: 'a name' };
const fromSchema: Schema = {
  anyOf: [nameSchema, { type: 'array', items: nameSchema, description: 'packages or modules' }],
  description: 'the package, ambient module, namespace or file that declares it',
};
const callProperties = {
  function: { ...nameSchema, description: 'a function (or a namespace member)' },
  type: { ...nameSchema, description: 'the type that declares the method, or one it extends' },
  method: { ...nameSchema, description: 'a method of `type`' },
  from: fromSchema,
} as const;
const callEntry: Schema = {
  anyOf: [
    { ...nameSchema, description: 'a function name' },
    { type: 'object', properties: callProperties, additionalProperties: false, description: 'a function or a method' },
  ],
  description: 'a function or a method',
};
const operandEntry: Schema = {
  anyOf: [
    { ...nameSchema, description: 'a function name' },
    {
      type: 'object',
      properties: {
        ...callProperties,
        operand: {
          anyOf: [{ type: 'integer', minimum: 0, description: 'an argument index' }, { enum: ['receiver'], description: 'the receiver' }],
          description: 'an argument index or "receiver"',
        },
      },
      additionalProperties: false,
      description: 'a function or a method, and the operand it acts on',
    },
  ],
  description: 'a function or a method',
};

export const settingsSchema: Schema = {
  type: 'object',
  additionalProperties: false,
  description: "settings['handle-lifetime']",
  properties: {
    presets: { type: 'object', additionalProperties: { type: 'boolean', description: 'on or off' }, description: 'presets by name' },
    handleTypes: {
      type: 'array',
      description: 'handle types',
      items: {
        anyOf: [
          nameSchema,
          { type: 'object', properties: { name: nameSchema, from: fromSchema }, required: ['name'], additionalProperties: false, description: 'a type' },
        ],
        description: 'a type name',
      },
    },
    acquire: { type: 'array', items: callEntry, description: 'calls that return a fresh handle' },
    borrow: { type: 'array', items: callEntry, description: 'calls whose handle result the caller does not own' },
    release: { type: 'array', items: operandEntry, description: 'calls that release a handle' },
    takeOwnership: { type: 'array', items: operandEntry, description: 'calls that keep a handle' },
    use: { type: 'array', items: operandEntry, description: 'calls that only read a handle' },
    throws: { type: 'array', items: callEntry, description: 'calls that throw by contract' },
    notHandles: { type: 'array', items: nameSchema, description: 'Disposable classes or interfaces whose dispose owns no resource' },
    inferFromUsage: {
      anyOf: [
        { enum: [false], description: 'off' },
        {
          type: 'object',
          additionalProperties: false,
          description: 'thresholds',
          properties: {
            minReleasing: { type: 'integer', minimum: 1, description: 'functions that release the values of an API on every path' },
            minRatio: { type: 'number', minimum: 0, maximum: 1, description: 'the share of the functions keeping a value that release it' },
            minZ: { type: 'number', description: 'the least z score of the release share against minRatio that the rules report by default' },
            weakMinZ: { type: 'number', description: 'the least z score the rules report with checkWeaklyInferred (strict, all)' },
          },
        },
      ],
      description: 'false, or thresholds for inferring untyped acquisitions from usage',
    },
  },
};

/** The first problem with `value`, as `path must …`, or undefined. */
function check(value: unknown, schema: Schema, path: string): string | undefined {
  if ('anyOf' in schema) {
    const problems = schema.anyOf.map((option) => check(value, option, path));
    if (problems.some((problem) => problem === undefined)) return undefined;
    // The option of the value's own kind explains best (an object for an object).
    const sameKind = schema.anyOf.findIndex((option) => 'type' in option && kindOf(value) === option.type);
    return sameKind >= 0 ? problems[sameKind] : `${path} must be ${schema.description}`;
  }
  if ('enum' in schema) return schema.enum.includes(value) ? undefined : `${path} must be one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  switch (schema.type) {
    case 'string':
      if (typeof value !== 'string') return `${path} must be a string`;
      if (schema.minLength !== undefined && value.length < schema.minLength) return `${path} must not be empty`;
      return undefined;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `${path} must be true or false`;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) return `${path} must be an integer`;
      if (schema.minimum !== undefined && value < schema.minimum) return `${path} must be at least ${schema.minimum}`;
      return undefined;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return `${path} must be a number`;
      if (schema.minimum !== undefined && value < schema.minimum) return `${path} must be at least ${schema.minimum}`;
      if (schema.maximum !== undefined && value > schema.maximum) return `${path} must be at most ${schema.maximum}`;
      return undefined;
    case 'array': {
      if (!Array.isArray(value)) return `${path} must be an array`;
      for (let i = 0; i < value.length; i++) {
        const problem = check(value[i], schema.items, `${path}[${i}]`);
        if (problem) return problem;
      }
      return undefined;
    }
    case 'object': {
      if (kindOf(value) !== 'object') return `${path} must be an object`;
      const record = value as Record<string, unknown>;
      for (const key of schema.required ?? []) if (!(key in record)) return `${path}.${key} is required`;
      for (const [key, item] of Object.entries(record)) {
        const property = schema.properties?.[key];
        const itemPath = path ? `${path}.${key}` : key;
        if (property) {
          const problem = check(item, property, itemPath);
          if (problem) return problem;
        } else if (schema.additionalProperties === false) {
          const known = Object.keys(schema.properties ?? {});
          return `${itemPath} is not a known setting (known: ${known.join(', ')})`;
        } else {
          const problem = check(item, schema.additionalProperties, itemPath);
          if (problem) return problem;
        }
      }
      return undefined;
    }
  }
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/**
 * Check the settings; throws an Error naming the first bad entry
 * (`handle-lifetime settings: release[2].method must be a string`).
 */
export function validateSettings(value: unknown, presetNames: readonly string[]): HandleLifetimeSettings {
  if (value === undefined || value === null) return {};
  const fail = (problem: string): never => {
    throw new Error(`handle-lifetime settings: ${problem}`);
  };
  const problem = check(value, settingsSchema, '');
  if (problem) fail(problem.replace(/^ must/, 'the value must'));
  const settings = value as HandleLifetimeSettings;
  for (const name of Object.keys(settings.presets ?? {})) {
    if (!presetNames.includes(name)) fail(`presets.${name} is not a preset (presets: ${presetNames.join(', ')})`);
  }
  for (const key of ['acquire', 'borrow', 'release', 'takeOwnership', 'use', 'throws'] as const) {
    (settings[key] ?? []).forEach((entry, index) => {
      if (typeof entry === 'string') return;
      const path = `${key}[${index}]`;
      if (entry.function !== undefined && (entry.type !== undefined || entry.method !== undefined)) {
        fail(`${path} names both a function and a method: give either \`function\` or \`type\` and \`method\``);
      }
      if (entry.method !== undefined && entry.type === undefined) fail(`${path}.type is required with \`method\``);
      if (entry.type !== undefined && entry.method === undefined) fail(`${path}.method is required with \`type\``);
      if (entry.function === undefined && entry.method === undefined) fail(`${path} must name a \`function\`, or a \`type\` and a \`method\``);
    });
  }
  return settings;
}

/** The spec the settings describe (checked first, before every preset), or undefined when they describe no API. */
export function specFromSettings(settings: HandleLifetimeSettings): HandleApiSpec | undefined {
  const modulesOf = (from: string | readonly string[] | undefined): readonly ModuleName[] | undefined =>
    from === undefined ? undefined : typeof from === 'string' ? [from] : from;
  // A call without `from` is matched wherever it is declared.
  const call = (entry: string | CallEntry): CallPattern => {
    if (typeof entry === 'string') return { function: entry, from: ['*'] };
    const from = modulesOf(entry.from) ?? ['*'];
    return entry.function !== undefined ? { function: entry.function, from } : { type: entry.type, method: entry.method, from };
  };
  const operand = (entry: string | OperandEntry): OperandPattern =>
    typeof entry === 'string' || entry.operand === undefined ? call(entry) : { ...call(entry), operand: entry.operand };
  const handleTypes = (settings.handleTypes ?? []).map((entry) => (typeof entry === 'string' ? entry : entry.name));
  const typeModules = [...new Set((settings.handleTypes ?? []).flatMap((entry) => (typeof entry === 'string' ? [] : (modulesOf(entry.from) ?? []))))];
  const anyTypeUnscoped = (settings.handleTypes ?? []).some((entry) => typeof entry === 'string' || entry.from === undefined);
  const spec: HandleApiSpec = {
    name: 'settings',
    description: "settings['handle-lifetime']",
    // Type names are matched anywhere unless every entry says where it comes from.
    modules: anyTypeUnscoped || typeModules.length === 0 ? ['*'] : typeModules,
    handleTypes,
    acquire: (settings.acquire ?? []).map(call),
    borrow: (settings.borrow ?? []).map(call),
    release: (settings.release ?? []).map(operand),
    takeOwnership: (settings.takeOwnership ?? []).map(operand),
    use: (settings.use ?? []).map(operand),
    throws: (settings.throws ?? []).map(call),
  };
  const describesSomething =
    handleTypes.length +
      spec.acquire!.length +
      spec.borrow!.length +
      spec.release!.length +
      spec.takeOwnership!.length +
      spec.use!.length +
      spec.throws!.length >
    0;
  return describesSomething ? spec : undefined;
}

/** The thresholds of usage inference the settings ask for (`false`: off); the z score is taken against `minRatio`. */
export function inferenceThresholdsFor(setting: false | InferenceSettings): InferenceThresholds | false {
  if (setting === false) return false;
  const thresholds = { ...defaultInferenceThresholds, ...setting };
  return { ...thresholds, p0: thresholds.minRatio };
}
