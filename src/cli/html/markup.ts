/**
 * HTML built by a tagged template that escapes every interpolated value:
 * markup comes only from the templates' literal parts and from other
 * `Markup` values, so source text can never become tags.
 */

export class Markup {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

type Interpolation = Markup | string | number | boolean | undefined | null | readonly Interpolation[];

const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => entities[character]);
}

export function html(literals: TemplateStringsArray, ...values: Interpolation[]): Markup {
  let text = literals[0];
  for (let index = 0; index < values.length; index++) text += render(values[index]) + literals[index + 1];
  return new Markup(text);
}

/** Markup that is trusted as it is: the page's own style sheet and script. */
export function trusted(text: string): Markup {
  return new Markup(text);
}

function render(value: Interpolation): string {
  if (value instanceof Markup) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  // `false` and nothing render as nothing: `${condition && html`…`}`.
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(String(value));
}

/** `3 problems`, `1 file`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** A message's `code` spans (backticks) as `<code>`. */
export function withCode(text: string): Markup {
  return html`${text.split(/`([^`]+)`/).map((part, index) => (index % 2 === 1 ? html`<code>${part}</code>` : part))}`;
}
