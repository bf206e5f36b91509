/**
 * ESLint results → a SARIF 2.1.0 log for code scanning: every rule of the
 * plugin in `tool.driver`, locations relative to `%SRCROOT%`, fingerprints
 * that survive unrelated edits, the trace as related locations and a code
 * flow, fixes for autofixable results.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ESLint, Linter, Rule } from 'eslint';
import { rules } from '../rules/index.js';
import { REPOSITORY_URL } from '../util/create-rule.js';
import { rulePropertiesOf } from './rule-properties.js';
import { sourceTextOf, splitLines } from './source-text.js';
import type { TraceSite } from './trace.js';
import { siteMessage, stepKindOf } from './trace.js';

const require = createRequire(import.meta.url);
const { version } = require('../../package.json') as { version: string };
const docsDir = fileURLToPath(new URL('../../docs/rules/', import.meta.url));

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
export const SRCROOT = '%SRCROOT%';
const NAMESPACE = 'handle-lifetime/';
export const FINGERPRINT_KEY = 'handleLifetimeLineHash/v1';

export type SarifLevel = 'error' | 'warning' | 'note' | 'none';

export interface SarifOptions {
  /** The directory `%SRCROOT%` stands for: the repository root. */
  readonly srcRoot: string;
  /** Metadata of the rules that appear in the results (ESLint's `rulesMeta`); the plugin's own rules are always listed. */
  readonly rulesMeta?: Readonly<Record<string, Rule.RuleMetaData | undefined>>;
  /** Each rule's level in the configuration that ran (`defaultConfiguration.level`); default `error` for the plugin's rules. */
  readonly ruleLevels?: Readonly<Record<string, SarifLevel>>;
  /** The trace behind a message (acquired → released → used), when known. */
  readonly traceOf?: (filePath: string, message: Linter.LintMessage) => readonly TraceSite[] | undefined;
}

// The shapes below are the parts of the SARIF 2.1.0 schema this log uses.
interface SarifMessage {
  text: string;
  markdown?: string;
}
interface SarifRegion {
  startLine?: number;
  startColumn?: number;
  endLine?: number;
  endColumn?: number;
  charOffset?: number;
  charLength?: number;
}
interface SarifArtifactLocation {
  uri: string;
  uriBaseId?: string;
  index?: number;
}
interface SarifPhysicalLocation {
  artifactLocation: SarifArtifactLocation;
  region?: SarifRegion;
}
interface SarifLocation {
  id?: number;
  physicalLocation: SarifPhysicalLocation;
  message?: SarifMessage;
}
interface SarifReportingDescriptor {
  id: string;
  name: string;
  shortDescription: SarifMessage;
  fullDescription: SarifMessage;
  helpUri?: string;
  help?: SarifMessage;
  defaultConfiguration: { enabled?: boolean; level: SarifLevel };
  properties: Record<string, unknown>;
}
interface SarifFix {
  description: SarifMessage;
  artifactChanges: { artifactLocation: SarifArtifactLocation; replacements: { deletedRegion: SarifRegion; insertedContent: { text: string } }[] }[];
}
interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: SarifMessage;
  locations: SarifLocation[];
  partialFingerprints: Record<string, string>;
  relatedLocations?: SarifLocation[];
  codeFlows?: { threadFlows: { locations: { location: SarifLocation; kinds?: string[] }[] }[] }[];
  fixes?: SarifFix[];
  suppressions?: { kind: 'inSource' | 'external'; justification?: string }[];
}
interface SarifNotification {
  level: SarifLevel;
  message: SarifMessage;
  locations?: SarifLocation[];
}
export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: {
    tool: { driver: { name: string; version: string; semanticVersion: string; informationUri: string; rules: SarifReportingDescriptor[] } };
    originalUriBaseIds: Record<string, { uri: string; description?: SarifMessage }>;
    columnKind: 'utf16CodeUnits';
    invocations: { executionSuccessful: boolean; toolExecutionNotifications: SarifNotification[] }[];
    results: SarifResult[];
  }[];
}

export function buildSarif(results: readonly ESLint.LintResult[], options: SarifOptions): SarifLog {
  const srcRoot = path.resolve(options.srcRoot);
  const driverRules: SarifReportingDescriptor[] = [];
  const ruleIndex = new Map<string, number>();
  const addRule = (ruleId: string, meta: Rule.RuleMetaData | undefined): number => {
    let index = ruleIndex.get(ruleId);
    if (index === undefined) {
      index = driverRules.push(reportingDescriptor(ruleId, meta, options.ruleLevels)) - 1;
      ruleIndex.set(ruleId, index);
    }
    return index;
  };
  for (const [name, rule] of Object.entries(rules).sort(([a], [b]) => a.localeCompare(b))) {
    addRule(`${NAMESPACE}${name}`, rule.meta as unknown as Rule.RuleMetaData);
  }

  const sarifResults: SarifResult[] = [];
  const notifications: SarifNotification[] = [];
  for (const result of results) {
    const messages = [
      ...result.messages.map((message) => ({ message, suppressed: false })),
      ...(result.suppressedMessages ?? []).map((message) => ({ message, suppressed: true })),
    ];
    if (messages.length === 0) continue;
    const artifact = artifactLocationOf(result.filePath, srcRoot);
    const lines = splitLines(sourceTextOf(result));
    const occurrences = new Map<string, number>();
    messages.sort((a, b) => a.message.line - b.message.line || a.message.column - b.message.column);
    for (const { message, suppressed } of messages) {
      const physicalLocation = (region: SarifRegion): SarifPhysicalLocation => ({ artifactLocation: artifact, region });
      if (message.fatal || !message.ruleId) {
        notifications.push({
          level: message.severity === 2 ? 'error' : 'warning',
          message: { text: message.message },
          locations: [{ physicalLocation: physicalLocation(regionOf(message)) }],
        });
        continue;
      }
      const index = addRule(message.ruleId, options.rulesMeta?.[message.ruleId]);
      const lineText = normalizeLine(lines[message.line - 1] ?? '');
      const occurrenceKey = `${message.ruleId}\0${lineText}`;
      const occurrence = occurrences.get(occurrenceKey) ?? 0;
      occurrences.set(occurrenceKey, occurrence + 1);
      const sarifResult: SarifResult = {
        ruleId: message.ruleId,
        ruleIndex: index,
        level: message.severity === 2 ? 'error' : 'warning',
        message: { text: message.message },
        locations: [{ physicalLocation: physicalLocation(regionOf(message)) }],
        partialFingerprints: { [FINGERPRINT_KEY]: fingerprint(message.ruleId, lineText, occurrence) },
      };
      const trace = options.traceOf?.(result.filePath, message);
      if (trace && trace.length > 0) {
        const sites = trace.map((site, siteIndex) => ({
          id: siteIndex + 1,
          physicalLocation: site.evidence
            ? { artifactLocation: artifactLocationOf(site.evidence.filePath, srcRoot), region: regionOf(site) }
            : physicalLocation(regionOf(site)),
          message: { text: siteMessage(site.label) },
        }));
        sarifResult.relatedLocations = sites;
        // The evidence of an inferred handle is related, but no step of the handle's path.
        const steps = sites.filter((_site, siteIndex) => !trace[siteIndex].evidence);
        if (steps.length > 0) {
          sarifResult.codeFlows = [
            {
              threadFlows: [
                {
                  locations: steps.map(({ id, physicalLocation: where, message: siteText }) => {
                    const kinds = threadFlowKinds(trace[id - 1].label);
                    return { location: { physicalLocation: where, message: siteText }, ...(kinds ? { kinds } : {}) };
                  }),
                },
              ],
            },
          ];
        }
      }
      if (message.fix) {
        sarifResult.fixes = [
          {
            description: { text: `Autofix of ${message.ruleId}.` },
            artifactChanges: [
              {
                artifactLocation: artifact,
                replacements: [
                  {
                    deletedRegion: { charOffset: message.fix.range[0], charLength: message.fix.range[1] - message.fix.range[0] },
                    insertedContent: { text: message.fix.text },
                  },
                ],
              },
            ],
          },
        ];
      }
      if (suppressed) {
        // `eslint-disable` comments are in the source; `--suppress-all` baselines are a file beside it.
        sarifResult.suppressions = ((message as Linter.SuppressedLintMessage).suppressions ?? [{ kind: 'directive', justification: '' }]).map(
          (suppression) => ({
            kind: suppression.kind === 'directive' ? 'inSource' : 'external',
            ...(suppression.justification ? { justification: suppression.justification } : {}),
          }),
        );
      }
      sarifResults.push(sarifResult);
    }
  }

  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: { name: 'handle-lifetime', version, semanticVersion: version, informationUri: REPOSITORY_URL, rules: driverRules },
        },
        originalUriBaseIds: {
          [SRCROOT]: { uri: `${pathToFileURL(srcRoot).href.replace(/\/?$/, '/')}`, description: { text: 'The repository root.' } },
        },
        columnKind: 'utf16CodeUnits',
        invocations: [{ executionSuccessful: true, toolExecutionNotifications: notifications }],
        results: sarifResults,
      },
    ],
  };
}

function reportingDescriptor(
  ruleId: string,
  meta: Rule.RuleMetaData | undefined,
  ruleLevels: Readonly<Record<string, SarifLevel>> | undefined,
): SarifReportingDescriptor {
  const ownRule = ruleId.startsWith(NAMESPACE) ? ruleId.slice(NAMESPACE.length) : undefined;
  const description = sentence(meta?.docs?.description ?? ruleId);
  const helpUri = meta?.docs?.url;
  const markdown = ownRule ? helpMarkdown(ownRule) : undefined;
  const properties = rulePropertiesOf(ownRule ?? ruleId, meta?.type, ownRule !== undefined);
  const level = ruleLevels?.[ruleId];
  return {
    id: ruleId,
    // SARIF wants `name` to differ from the opaque `id`: `NoLeakedHandle`.
    name: (ruleId.split('/').pop() ?? ruleId).replace(/(^|[-_])(\w)/g, (_match, _separator: string, letter: string) => letter.toUpperCase()),
    shortDescription: { text: description },
    fullDescription: { text: (markdown && firstParagraph(markdown)) || description },
    ...(helpUri ? { helpUri } : {}),
    help: { text: `${description}${helpUri ? ` See ${helpUri}` : ''}`, ...(markdown ? { markdown } : {}) },
    // A rule that the run's configuration leaves off is listed, disabled.
    defaultConfiguration:
      ruleLevels && level === undefined ? { enabled: false, level: 'error' } : { level: level ?? (ownRule ? 'error' : 'warning') },
    properties: { ...properties, tags: [...properties.tags] },
  };
}

/** The first prose paragraph of a docs page (a sentence or more), as plain text. */
function firstParagraph(markdown: string): string | undefined {
  const paragraph = markdown
    .split(/\n\s*\n/)
    .map((block) => block.trim().replace(/\s+/g, ' '))
    .find((block) => /^[\p{L}`*_[]/u.test(block) && !/^(#|```|<!--)/.test(block) && /\w.{20,}[.:]$/.test(block));
  // Links keep their text; `x[Symbol.dispose]()` is code, not a link.
  return paragraph?.replace(/(?<![\w\]])\[([^\]]+)\]\(([^)\s]+)\)/g, '$1');
}

/** The rule's docs page without the generated header, for `help.markdown`. */
function helpMarkdown(ruleName: string): string | undefined {
  let page: string;
  try {
    page = fs.readFileSync(path.join(docsDir, `${ruleName}.md`), 'utf8');
  } catch {
    return undefined;
  }
  const headerEnd = '<!-- end auto-generated rule header -->';
  const at = page.indexOf(headerEnd);
  const title = /^# .*$/m.exec(page)?.[0] ?? `# ${ruleName}`;
  return at >= 0 ? `${title}\n\n${page.slice(at + headerEnd.length).trim()}\n` : page;
}

function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

function artifactLocationOf(filePath: string, srcRoot: string): SarifArtifactLocation {
  const relative = path.relative(srcRoot, filePath);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return { uri: pathToFileURL(filePath).href };
  return { uri: relative.split(path.sep).map(encodeURIComponent).join('/'), uriBaseId: SRCROOT };
}

function regionOf(where: { line: number; column?: number; endLine?: number; endColumn?: number }): SarifRegion {
  const region: SarifRegion = { startLine: Math.max(1, where.line) };
  if (where.column === undefined) return region;
  region.startColumn = Math.max(1, where.column);
  if (where.endLine !== undefined && where.endColumn !== undefined) {
    region.endLine = where.endLine;
    region.endColumn = where.endColumn;
  }
  return region;
}

function normalizeLine(line: string): string {
  return line.trim().replace(/\s+/g, ' ');
}

/**
 * Rule, the text of the reported line (whitespace-normalised) and which
 * occurrence of that pair in the file it is: no line numbers, so the
 * fingerprint stays when lines above it are added or removed.
 */
function fingerprint(ruleId: string, lineText: string, occurrence: number): string {
  return createHash('sha256').update(`${ruleId}\0${lineText}\0${occurrence}`).digest('hex').slice(0, 32);
}

function threadFlowKinds(label: string): string[] | undefined {
  const kind = stepKindOf(label);
  return kind === 'acquire' || kind === 'release' ? [kind] : undefined;
}
