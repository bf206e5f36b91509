import { ESLintUtils } from '@typescript-eslint/utils';

export const REPOSITORY_URL = 'https://github.com/eslint-plugin-handle-lifetime/eslint-plugin-handle-lifetime';

export interface HandleLifetimeDocs {
  description: string;
  /** In `recommended` (and so in `strict` and `all`). */
  recommended?: boolean;
  /** In `strict` (and `all`); implied by `recommended`. */
  strict?: boolean;
  requiresTypeChecking: true;
}

/** The one rule factory: docs URL from the rule name. */
export const createRule = ESLintUtils.RuleCreator<HandleLifetimeDocs>(
  (name) => `${REPOSITORY_URL}/blob/main/docs/rules/${name}.md`,
);
