/**
 * What code scanning shows beside each rule: tags, precision and severity
 * (SARIF `reportingDescriptor.properties`, as GitHub reads them).
 */
export interface RuleProperties {
  readonly tags: readonly string[];
  readonly precision: 'very-high' | 'high' | 'medium' | 'low';
  readonly 'problem.severity': 'error' | 'warning' | 'recommendation';
}

const memorySafety: RuleProperties = {
  tags: ['reliability', 'security', 'correctness', 'memory-safety', 'external/cwe/cwe-416'],
  precision: 'high',
  'problem.severity': 'error',
};

const byRule: Record<string, RuleProperties> = {
  'no-use-after-release': memorySafety,
  'no-double-release': { ...memorySafety, tags: ['reliability', 'security', 'correctness', 'memory-safety', 'external/cwe/cwe-415'] },
  'no-leaked-handle': {
    tags: ['reliability', 'resource-leak', 'external/cwe/cwe-401'],
    precision: 'high',
    'problem.severity': 'warning',
  },
  'no-dangling-handle-field': { ...memorySafety, precision: 'medium', 'problem.severity': 'warning' },
};

/** The properties of a rule: from the table, else from its `meta.type` (every handle-lifetime rule is about reliability). */
export function rulePropertiesOf(ruleName: string, type: string | undefined, ownRule: boolean): RuleProperties {
  return (
    byRule[ruleName] ?? {
      tags: [...(ownRule ? ['reliability'] : []), ...(type === 'problem' ? ['correctness'] : ['maintainability'])],
      precision: 'medium',
      'problem.severity': type === 'problem' ? 'warning' : 'recommendation',
    }
  );
}
