// Query parameters of list and watch requests, validated like metainternalversion.ListOptions.
import { badRequest, invalid } from '../errors.js';
import { forbidden, notSupported } from '../fielderrors.js';
import type { FieldError } from '../fielderrors.js';
import { FieldSelectorError, parseFieldSelector } from '../selectors/fields.js';
import type { FieldSelector } from '../selectors/fields.js';
import { SelectorParseError, parseLabelSelector } from '../selectors/labels.js';
import type { LabelSelector } from '../selectors/labels.js';
import type { Resource } from './types.js';

export interface ListOptions {
  watch: boolean;
  labelSelector: LabelSelector;
  fieldSelector: FieldSelector;
  resourceVersion: string | undefined;
  resourceVersionMatch: string | undefined;
  limit: number;
  continueToken: string | undefined;
  timeoutSeconds: number | undefined;
  allowWatchBookmarks: boolean;
  sendInitialEvents: boolean | undefined;
}

const LIST_OPTIONS = { group: 'meta.k8s.io', name: 'ListOptions' };

function parseBool(v: string | null): boolean {
  return v === 'true' || v === '1';
}

function parseInteger(name: string, v: string | null): number | undefined {
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw badRequest(`strconv.ParseInt: parsing "${v}": invalid syntax`);
  const n = Number(v);
  if (name === 'limit' && n < 0) return 0;
  return n;
}

export function parseListOptions(q: URLSearchParams, res: Resource): ListOptions {
  const watch = parseBool(q.get('watch'));
  let labelSelector: LabelSelector;
  try {
    labelSelector = parseLabelSelector(q.get('labelSelector') ?? '');
  } catch (e) {
    if (e instanceof SelectorParseError) throw badRequest(e.message);
    throw e;
  }
  let fieldSelector: FieldSelector;
  try {
    fieldSelector = parseFieldSelector(q.get('fieldSelector') ?? '');
  } catch (e) {
    if (e instanceof FieldSelectorError) throw badRequest(e.message);
    throw e;
  }
  for (const r of fieldSelector.requirements) {
    const ok =
      r.field === 'metadata.name' ||
      (r.field === 'metadata.namespace' && res.namespaced) ||
      res.fieldLabels.includes(r.field);
    if (!ok) throw badRequest(`field label not supported: ${r.field}`);
  }
  const sie = q.get('sendInitialEvents');
  const opts: ListOptions = {
    watch,
    labelSelector,
    fieldSelector,
    resourceVersion: q.get('resourceVersion') ?? undefined,
    resourceVersionMatch: q.get('resourceVersionMatch') ?? undefined,
    limit: parseInteger('limit', q.get('limit')) ?? 0,
    continueToken: q.get('continue') || undefined,
    timeoutSeconds: parseInteger('timeoutSeconds', q.get('timeoutSeconds')),
    allowWatchBookmarks: parseBool(q.get('allowWatchBookmarks')),
    sendInitialEvents: sie === null ? undefined : parseBool(sie),
  };
  if (opts.resourceVersion === '') opts.resourceVersion = undefined;
  if (opts.resourceVersionMatch === '') opts.resourceVersionMatch = undefined;
  const errs = watch ? validateWatch(opts) : validateList(opts);
  if (errs.length) throw invalid(LIST_OPTIONS, '', errs);
  return opts;
}

function validateList(o: ListOptions): FieldError[] {
  const errs: FieldError[] = [];
  const match = o.resourceVersionMatch;
  if (match !== undefined) {
    if (o.resourceVersion === undefined)
      errs.push(
        forbidden(
          'resourceVersionMatch',
          'resourceVersionMatch is forbidden unless resourceVersion is provided',
        ),
      );
    if (o.continueToken !== undefined)
      errs.push(
        forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'),
      );
    if (match !== 'Exact' && match !== 'NotOlderThan')
      errs.push(notSupported('resourceVersionMatch', match, ['Exact', 'NotOlderThan', '']));
    if (match === 'Exact' && o.resourceVersion === '0')
      errs.push(
        forbidden(
          'resourceVersionMatch',
          'resourceVersionMatch "exact" is forbidden for resourceVersion "0"',
        ),
      );
  }
  if (o.sendInitialEvents !== undefined)
    errs.push(forbidden('sendInitialEvents', 'sendInitialEvents is forbidden for list'));
  return errs;
}

function validateWatch(o: ListOptions): FieldError[] {
  const errs: FieldError[] = [];
  const match = o.resourceVersionMatch;
  if (o.sendInitialEvents !== undefined) {
    if (match !== 'NotOlderThan')
      errs.push(
        forbidden(
          'resourceVersionMatch',
          'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan',
        ),
      );
  }
  if (match !== undefined) {
    if (o.sendInitialEvents === undefined)
      errs.push(
        forbidden(
          'resourceVersionMatch',
          'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided',
        ),
      );
    if (match !== 'NotOlderThan') errs.push(notSupported('resourceVersionMatch', match, ['NotOlderThan']));
    if (o.continueToken !== undefined)
      errs.push(
        forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'),
      );
  }
  return errs;
}

/** A resourceVersion query value as a number; "abc" is a 400 like the real parser. */
export function parseRV(v: string): number {
  if (!/^\d+$/.test(v))
    throw badRequest(
      `invalid resource version: resourceVersion: Invalid value: "${v}": strconv.ParseUint: parsing "${v}": invalid syntax`,
    );
  return Number(v);
}
