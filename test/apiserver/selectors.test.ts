import { describe, expect, it } from 'vitest';
import { parseFieldSelector } from '../../src/apiserver/selectors/fields.js';
import { SelectorParseError, parseLabelSelector } from '../../src/apiserver/selectors/labels.js';

const labels = { app: 'web', tier: 'edge', version: '3', 'kubernetes.io/service-name': 'lb1' };

describe('label selectors', () => {
  const table: [string, boolean][] = [
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app!=web', false],
    ['app!=db', true],
    ['missing!=x', true],
    ['app in (web,db)', true],
    ['app in (db)', false],
    ['app notin (db,cache)', true],
    ['missing notin (a)', true],
    ['app notin (web)', false],
    ['app', true],
    ['missing', false],
    ['!missing', true],
    ['!app', false],
    ['app=web,tier=edge', true],
    ['app=web,tier=core', false],
    ['  app = web , tier in ( edge , core )  ', true],
    ['version>2', true],
    ['version<3', false],
    ['app>2', false],
    ['kubernetes.io/service-name=lb1', true],
    ['app in (in,notin)', false],
    ['app=', false],
    ['empty=', false],
  ];
  it.each(table)('%j matches: %s', (sel, want) => {
    expect(parseLabelSelector(sel).matches(labels)).toBe(want);
  });

  it('matches an empty value against an empty label', () => {
    expect(parseLabelSelector('empty=').matches({ empty: '' })).toBe(true);
    expect(parseLabelSelector('empty in ()').matches({ empty: '' })).toBe(true);
  });

  const bad: [string, RegExp][] = [
    ['app=web,', /found '', expected: !, identifier, or 'end of string'/],
    ['=web', /found '=', expected: !, identifier/],
    ['app in web', /expected: '\('/],
    ['app in (a b)', /found 'b', expected: ',' or '\)'/],
    ['!app=web', /found '=', expected: ',' or 'end of string'/],
    ['bad key=x', /found 'key', expected: in, notin, =, ==, !=, gt, lt/],
    ['app=a/b', /values\[0\]\[app\]: Invalid value: "a\/b": a valid label must be an empty string/],
    ['Bad_/x=1', /key: Invalid value/],
    ['version>x', /must be an integer/],
  ];
  it.each(bad)('%j is rejected', (sel, re) => {
    expect(() => parseLabelSelector(sel)).toThrow(SelectorParseError);
    expect(() => parseLabelSelector(sel)).toThrow(re);
  });
});

describe('field selectors', () => {
  const fields = { 'metadata.name': 'lb1', 'metadata.namespace': 'ns1', 'spec.type': 'LoadBalancer' };
  const table: [string, boolean][] = [
    ['', true],
    ['metadata.name=lb1', true],
    ['metadata.name==lb1', true],
    ['metadata.name!=lb1', false],
    ['metadata.name=lb1,spec.type=LoadBalancer', true],
    ['metadata.name=lb1,spec.type!=LoadBalancer', false],
    ['metadata.namespace=ns2', false],
  ];
  it.each(table)('%j matches: %s', (sel, want) => {
    expect(parseFieldSelector(sel).matches(fields)).toBe(want);
  });
  it('unescapes values and rejects terms without an operator', () => {
    expect(parseFieldSelector('metadata.name=a\\,b').requirements[0]?.value).toBe('a,b');
    expect(() => parseFieldSelector('metadata.name')).toThrow(/can't understand 'metadata.name'/);
  });
});
