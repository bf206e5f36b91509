/**
 * Why a finding on a handle the usage inference found is one: the API, how
 * its values are released, in how many functions, and where (the reports say
 * the finding is inferred, and on what evidence).
 */
import path from 'node:path';
import type { TSESTree } from '@typescript-eslint/utils';
import type { Finding } from '../flow/findings.js';
import type { FileContext } from '../program/file-context.js';
import type { InferredReason } from './inferred-reason.js';
import type { InferredApi } from './ranking.js';

const PARTICIPLES: Readonly<Record<string, string>> = {
  delete: 'deleted',
  free: 'freed',
  dispose: 'disposed',
  close: 'closed',
  destroy: 'destroyed',
  release: 'released',
};

/**
 * The findings, those on a handle the inference made with the reason attached. The evidence
 * counts releases on the normal paths of a function, so a leak on an exception, an overwrite or
 * a loop's next iteration is no deviation from it: those are left out.
 */
export function withInferredReasons(file: FileContext, findings: readonly Finding[], apiKeys?: readonly (string | undefined)[]): readonly Finding[] {
  const inference = file.model.inference;
  if (!inference) return findings;
  const fileName = file.tsNode(file.ast)?.getSourceFile().fileName;
  const explained: Finding[] = [];
  for (const [index, finding] of findings.entries()) {
    // Findings kept from the file's last lint name their API by key: their calls were not classified again.
    const key = apiKeys ? apiKeys[index] : undefined;
    const api = apiKeys ? (key === undefined ? undefined : inference.apiOfKey(key)) : inferredApiOf(file, finding);
    if (!api) explained.push(finding);
    else if (!OUTSIDE_THE_EVIDENCE.has(finding.leakKind ?? '')) explained.push({ ...finding, inferred: reasonOf(api, fileName) });
  }
  return explained;
}

/** The API the inference made the finding's handle one of, when it was the inference that did. */
function inferredApiOf(file: FileContext, finding: Finding): InferredApi | undefined {
  const acquired = finding.acquiredAt ? file.tsNode(finding.acquiredAt) : undefined;
  return acquired ? file.model.inference?.acquiredApi(acquired) : undefined;
}

/** Of each finding, the key of the API the inference made its handle one of (kept with the findings). */
export function inferredApiKeys(file: FileContext, findings: readonly Finding[]): (string | undefined)[] {
  return findings.map((finding) => inferredApiOf(file, finding)?.key);
}

/** Why the handle acquired at this node is one, when only the inference made it one (a class's field, for the class checks). */
export function inferredReasonAt(file: FileContext, acquiredAt: TSESTree.Node): InferredReason | undefined {
  const acquired = file.model.inference ? file.tsNode(acquiredAt) : undefined;
  const api = acquired ? file.model.inference!.acquiredApi(acquired) : undefined;
  return api ? reasonOf(api, acquired!.getSourceFile().fileName) : undefined;
}

const OUTSIDE_THE_EVIDENCE: ReadonlySet<string> = new Set(['exception', 'overwrite', 'loop']);

function reasonOf(api: InferredApi, fileName: string | undefined): InferredReason {
  const method = api.releaseForm.startsWith('.') ? api.releaseForm.slice(1, -2) : undefined;
  const released = method !== undefined ? (PARTICIPLES[method] ?? `released by \`.${method}()\``) : `released by \`${api.releaseForm}\``;
  const places = [...new Set(api.releasePlaces.map((place) => (place.fileName === fileName ? `line ${place.line}` : `${path.basename(place.fileName)}:${place.line}`)))].join(', ');
  return { api: api.label, released, releasing: api.releasing, keeping: api.keeping, places, releaseSites: api.releasePlaces, weak: api.weak };
}
