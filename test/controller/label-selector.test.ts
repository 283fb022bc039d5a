// Tables for src/k8s/label-selector.ts (shared by the controller and the agent).
import type { V1LabelSelector } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  compileLabelSelector,
  compileSelectorList,
  formatSelector,
  selectorMatches,
  type Labels,
} from '../../src/k8s/label-selector.js';

const web: Labels = { app: 'web', tier: 'front' };

describe('label selector matching', () => {
  const rows: [rule: string, selector: V1LabelSelector, labels: Labels | undefined, matches: boolean][] = [
    ['empty selector matches everything', {}, web, true],
    ['empty selector matches no labels', {}, undefined, true],
    ['matchLabels equal', { matchLabels: { app: 'web' } }, web, true],
    ['matchLabels differ', { matchLabels: { app: 'db' } }, web, false],
    ['matchLabels missing key', { matchLabels: { env: 'prod' } }, web, false],
    ['matchLabels are ANDed', { matchLabels: { app: 'web', tier: 'back' } }, web, false],
    [
      'In matches one of',
      { matchExpressions: [{ key: 'app', operator: 'In', values: ['db', 'web'] }] },
      web,
      true,
    ],
    [
      'In needs the key',
      { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] },
      web,
      false,
    ],
    [
      'NotIn excludes',
      { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] },
      web,
      false,
    ],
    [
      'NotIn is satisfied by a missing key',
      { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] },
      web,
      true,
    ],
    ['Exists', { matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, web, true],
    ['Exists fails on missing key', { matchExpressions: [{ key: 'env', operator: 'Exists' }] }, web, false],
    [
      'Exists matches an empty value',
      { matchExpressions: [{ key: 'x', operator: 'Exists' }] },
      { x: '' },
      true,
    ],
    ['DoesNotExist', { matchExpressions: [{ key: 'env', operator: 'DoesNotExist' }] }, web, true],
    [
      'DoesNotExist fails on present key',
      { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] },
      web,
      false,
    ],
    [
      'labels and expressions are ANDed',
      { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['back'] }] },
      web,
      false,
    ],
    [
      'prototype keys are not labels',
      { matchExpressions: [{ key: 'constructor', operator: 'Exists' }] },
      {},
      false,
    ],
  ];
  it.each(rows)('%s', (_rule, selector, labels, matches) => {
    const compiled = compileLabelSelector(Object.freeze(selector));
    expect(compiled.ok).toBe(true);
    if (compiled.ok) expect(selectorMatches(compiled.selector, labels)).toBe(matches);
  });
});

describe('label selector validation', () => {
  const rows: [rule: string, selector: unknown, error: RegExp][] = [
    ['null selector', null, /must be an object/],
    ['a list instead of an object', [], /must be an object/],
    ['matchLabels not a map', { matchLabels: ['a'] }, /matchLabels must be a map/],
    ['bad label key', { matchLabels: { 'bad key': 'x' } }, /label key "bad key" is invalid/],
    ['bad key prefix', { matchLabels: { 'Example.com/x': 'y' } }, /invalid prefix/],
    ['key name too long', { matchLabels: { ['a'.repeat(64)]: 'x' } }, /is invalid/],
    ['bad label value', { matchLabels: { app: 'no spaces' } }, /label value "no spaces" is invalid/],
    ['value not a string', { matchLabels: { app: 3 } }, /must be a string/],
    [
      'unknown operator',
      { matchExpressions: [{ key: 'a', operator: 'in', values: ['x'] }] },
      /operator must be one of/,
    ],
    [
      'In without values',
      { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] },
      /must not be empty/,
    ],
    ['NotIn without values', { matchExpressions: [{ key: 'a', operator: 'NotIn' }] }, /must not be empty/],
    [
      'Exists with values',
      { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] },
      /must be empty/,
    ],
    ['missing key', { matchExpressions: [{ operator: 'Exists' }] }, /key must be a string/],
    ['expression not an object', { matchExpressions: ['a=b'] }, /must be an object/],
    ['expressions not a list', { matchExpressions: { key: 'a' } }, /must be a list/],
    [
      'value of In invalid',
      { matchExpressions: [{ key: 'a', operator: 'In', values: ['-x'] }] },
      /value "-x"/,
    ],
  ];
  it.each(rows)('%s', (_rule, selector, error) => {
    const r = compileLabelSelector(selector as V1LabelSelector, 'sel');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.join('\n')).toMatch(error);
  });

  it('accepts prefixed keys and empty values', () => {
    const r = compileLabelSelector({ matchLabels: { 'kubernetes.io/metadata.name': 'team-a', 'x.y/z': '' } });
    expect(r.ok).toBe(true);
  });

  it('names the field of a bad selector inside a list', () => {
    const r = compileSelectorList([{}, { matchLabels: { 'a b': 'c' } }], 'spec.nodeSelectors');
    expect(r.selectors).toHaveLength(1);
    expect(r.errors[0]).toMatch(/^spec\.nodeSelectors\[1\]\.matchLabels/);
    expect(compileSelectorList(undefined, 'x')).toEqual({ selectors: [], errors: [] });
    expect(compileSelectorList('a=b', 'x').errors[0]).toMatch(/must be a list/);
  });

  it('formats selectors like kubectl', () => {
    const r = compileLabelSelector({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['b', 'a'] },
        { key: 'env', operator: 'NotIn', values: ['dev'] },
        { key: 'ok', operator: 'Exists' },
        { key: 'legacy', operator: 'DoesNotExist' },
      ],
    });
    expect(r.ok && formatSelector(r.selector)).toBe('app=web,tier in (a,b),env notin (dev),ok,!legacy');
    const all = compileLabelSelector({});
    expect(all.ok && formatSelector(all.selector)).toBe('<everything>');
  });
});
