/**
 * The trace as far as ESLint's formatter API carries it. A formatter sees
 * messages, not the analysis; but every message of the plugin names the
 * other lines of its trace ("released at line 23", "returns at line 87").
 * Matching the message against its rule's template recovers those lines and
 * what happens there. Columns are not in the message, so these sites are
 * whole lines. (The `handle-lifetime` CLI has the full trace.)
 */
import type { Linter, Rule } from 'eslint';
import type { TraceSite } from './trace.js';

/** What happens at a line named by a placeholder; per messageId where the placeholder's meaning varies. */
const labelByPlaceholder: Record<string, string> = {
  released: 'released',
  acquired: 'acquired',
};
const labelByMessage: Record<string, string> = {
  leakOverwritten: 'overwritten while still owned',
  leakOnException: 'may throw here',
  releasedAfterReturn: 'returned',
  returnOfUsing: 'disposed again by this `using` declaration',
  releaseOfUsing: 'disposed again by this `using` declaration',
};

export function traceFromMessage(message: Linter.LintMessage, meta: Rule.RuleMetaData | undefined): TraceSite[] | undefined {
  const template = message.messageId ? meta?.messages?.[message.messageId] : undefined;
  if (!template) return undefined;
  const values = matchTemplate(template, message.message);
  if (!values) return undefined;
  const sites: TraceSite[] = [];
  for (const [placeholder, value, before] of values) {
    // `at line {{line}}` or `at {{released}}` rendered as `line 4 or line 9`.
    for (const [, line] of `${/line $/.test(before) ? 'line ' : ''}${value}`.matchAll(/\bline (\d+)\b/g)) {
      sites.push({ label: labelOf(placeholder, value, message.messageId!), line: Number(line) });
    }
  }
  sites.sort((a, b) => a.line - b.line);
  return sites.length > 0 ? sites : undefined;
}

function labelOf(placeholder: string, value: string, messageId: string): string {
  if (placeholder === 'exit') return value.startsWith('returns') ? 'returns without releasing it' : 'function ends without releasing it';
  return labelByPlaceholder[placeholder] ?? labelByMessage[messageId] ?? 'related';
}

/** [placeholder, its value, the template text before it] for `text` rendered from `template`; null when it does not match. */
function matchTemplate(template: string, text: string): [string, string, string][] | null {
  const placeholders: [string, string][] = [];
  let before = '';
  const pattern = template
    .split(/(\{\{\s*\w+\s*\}\})/)
    .map((part) => {
      const placeholder = /^\{\{\s*(\w+)\s*\}\}$/.exec(part);
      if (!placeholder) {
        before = part;
        return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      }
      placeholders.push([placeholder[1], before]);
      return '([\\s\\S]*?)';
    })
    .join('');
  const match = new RegExp(`^${pattern}$`).exec(text);
  if (!match) return null;
  return placeholders.map(([name, literal], index) => [name, match[index + 1], literal]);
}
