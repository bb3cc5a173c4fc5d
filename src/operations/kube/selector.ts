/** Does a label selector (matchLabels AND matchExpressions) select these labels? */
import type { LabelSelector } from '../../domain/kube.js';

function expressionHolds(
  labels: Readonly<Record<string, string>>,
  { key, operator, values = [] }: { key: string; operator: string; values?: string[] },
): boolean {
  const has = Object.hasOwn(labels, key);
  switch (operator) {
    case 'In':
      return has && values.includes(labels[key] ?? '');
    case 'NotIn':
      return !(has && values.includes(labels[key] ?? ''));
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    default:
      return false;
  }
}

/**
 * As the API server matches a PodDisruptionBudget's selector. An empty selector
 * (`{}`) selects every pod of the namespace in policy/v1.
 */
export function selectorSelects(
  selector: LabelSelector,
  labels: Readonly<Record<string, string>>,
): boolean {
  const equal = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  return equal && (selector.matchExpressions ?? []).every((e) => expressionHolds(labels, e));
}

/** `app=web,tier in (a,b)`: a selector as kubectl's `-l` takes it, for remedies. */
export function selectorText(selector: LabelSelector): string {
  const equal = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  const expressions = (selector.matchExpressions ?? []).map(({ key, operator, values = [] }) => {
    if (operator === 'Exists') return key;
    if (operator === 'DoesNotExist') return `!${key}`;
    return `${key} ${operator.toLowerCase()} (${values.join(',')})`;
  });
  return [...equal, ...expressions].join(',');
}
