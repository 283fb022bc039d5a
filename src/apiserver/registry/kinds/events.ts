// Events: one storage (core/v1 form) served by two APIs. events.k8s.io/v1 maps onto core/v1
// (note→message, regarding→involvedObject, reportingController→reportingComponent, ...), and
// validation depends on the API the client used: events.k8s.io requires eventTime and friends.
import { invalid, required } from '../../fielderrors.js';
import type { FieldError } from '../../fielderrors.js';
import type { ObjectStore } from '../../storage/store.js';
import { EventsV1Event } from '../../types/apis.js';
import { CoreEvent } from '../../types/core.js';
import { canonical, decodeObject } from '../../types/codec.js';
import type { JsonObject, JsonValue } from '../../types/model.js';
import { validateObjectMeta } from '../../validation/meta.js';
import { isDNS1123Subdomain, isQualifiedName, nameIsDNSSubdomain } from '../../validation/names.js';
import { builtin, obj, storageVersionHash, text } from '../builtin.js';
import type { Codec, OpContext, Resource, Strategy } from '../types.js';

const CORE_KIND = { group: '', name: 'Event' };
const EVENTS_RESOURCE = { group: '', name: 'events' };

/** events.k8s.io/v1 → core/v1 */
export function toCore(e: JsonObject): JsonObject {
  const out: JsonObject = {
    kind: 'Event',
    apiVersion: 'v1',
    metadata: e.metadata ?? {},
    involvedObject: e.regarding ?? {},
    reason: e.reason ?? '',
    message: e.note ?? '',
    source: e.deprecatedSource ?? {},
    firstTimestamp: e.deprecatedFirstTimestamp ?? null,
    lastTimestamp: e.deprecatedLastTimestamp ?? null,
    count: e.deprecatedCount ?? 0,
    type: e.type ?? '',
    eventTime: e.eventTime ?? null,
    action: e.action ?? '',
    reportingComponent: e.reportingController ?? '',
    reportingInstance: e.reportingInstance ?? '',
  };
  if (e.series) out.series = e.series;
  if (e.related) out.related = e.related;
  return canonical(out, CoreEvent);
}

/** core/v1 → events.k8s.io/v1 */
export function fromCore(e: JsonObject): JsonObject {
  const out: JsonObject = {
    kind: 'Event',
    apiVersion: 'events.k8s.io/v1',
    metadata: e.metadata ?? {},
    eventTime: e.eventTime ?? null,
    reportingController: e.reportingComponent ?? '',
    reportingInstance: e.reportingInstance ?? '',
    action: e.action ?? '',
    reason: e.reason ?? '',
    regarding: e.involvedObject ?? {},
    note: e.message ?? '',
    type: e.type ?? '',
    deprecatedSource: e.source ?? {},
    deprecatedFirstTimestamp: e.firstTimestamp ?? null,
    deprecatedLastTimestamp: e.lastTimestamp ?? null,
    deprecatedCount: e.count ?? 0,
  };
  if (e.series) {
    const s = obj(e.series);
    out.series = { count: s.count ?? 0, lastObservedTime: s.lastObservedTime ?? null };
  }
  if (e.related) out.related = e.related;
  return canonical(out, EventsV1Event);
}

const isZero = (v: JsonValue | undefined): boolean => v === undefined || v === null;

/** ValidateEventCreate: legacy checks for everyone, strict ones for events.k8s.io clients. */
function validateEvent(e: JsonObject, ctx: OpContext): FieldError[] {
  const errs: FieldError[] = [];
  const v1 = ctx.requestVersion === 'v1';
  const ns = text(obj(e.metadata).namespace);
  const involved = obj(e.involvedObject);
  const involvedNs = text(involved.namespace);
  const reportingField = v1 ? 'reportingComponent' : 'reportingController';
  if (isZero(e.eventTime)) {
    if (!involvedNs) {
      if (ns !== '' && ns !== 'default')
        errs.push(invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
    } else if (ns !== involvedNs)
      errs.push(invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
  } else {
    if (!involvedNs && ns !== 'default' && ns !== 'kube-system')
      errs.push(invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
    const rc = text(e.reportingComponent);
    if (!rc) errs.push(required(reportingField));
    for (const m of isQualifiedName(rc)) errs.push(invalid(reportingField, rc, m));
    const ri = text(e.reportingInstance);
    if (!ri) errs.push(required('reportingInstance'));
    if (ri.length > 128) errs.push(invalid('reportingInstance', '', 'can have at most 128 characters'));
    const action = text(e.action);
    if (!action) errs.push(required('action'));
    if (action.length > 128) errs.push(invalid('action', '', 'can have at most 128 characters'));
    const reason = text(e.reason);
    if (!reason) errs.push(required('reason'));
    if (reason.length > 128) errs.push(invalid('reason', '', 'can have at most 128 characters'));
    if (text(e.message).length > 1024) errs.push(invalid('message', '', 'can have at most 1024 characters'));
  }
  for (const m of isDNS1123Subdomain(ns)) errs.push(invalid('namespace', ns, m));
  if (v1) return errs;
  errs.push(...validateObjectMeta(obj(e.metadata), true, nameIsDNSSubdomain));
  const series = e.series;
  if (series) {
    const s = obj(series);
    if (typeof s.count !== 'number' || s.count < 2)
      errs.push(invalid('series.count', '', 'should be at least 2'));
    if (isZero(s.lastObservedTime)) errs.push(required('series.lastObservedTime'));
  }
  if (isZero(e.eventTime)) errs.push(required('eventTime'));
  const type = text(e.type);
  if (type !== 'Normal' && type !== 'Warning') errs.push(invalid('type', '', `has invalid value: ${type}`));
  if (!isZero(e.firstTimestamp)) errs.push(invalid('firstTimestamp', '', 'needs to be unset'));
  if (!isZero(e.lastTimestamp)) errs.push(invalid('lastTimestamp', '', 'needs to be unset'));
  if (typeof e.count === 'number' && e.count !== 0) errs.push(invalid('count', '', 'needs to be unset'));
  const src = obj(e.source);
  if (text(src.component) || text(src.host)) errs.push(invalid('source', '', 'needs to be unset'));
  return errs;
}

function validateEventUpdate(e: JsonObject, old: JsonObject, ctx: OpContext): FieldError[] {
  const errs = validateEvent(e, { ...ctx, requestVersion: 'v1' });
  if (ctx.requestVersion === 'v1') return errs;
  const same = (k: string): boolean => JSON.stringify(e[k] ?? null) === JSON.stringify(old[k] ?? null);
  const fieldName: Record<string, string> = {
    involvedObject: 'regarding',
    message: 'note',
    reportingComponent: 'reportingController',
    source: 'deprecatedSource',
    firstTimestamp: 'deprecatedFirstTimestamp',
    lastTimestamp: 'deprecatedLastTimestamp',
    count: 'deprecatedCount',
  };
  for (const k of [
    'action',
    'reason',
    'involvedObject',
    'related',
    'reportingComponent',
    'reportingInstance',
    'type',
    'eventTime',
    'message',
    'source',
    'firstTimestamp',
    'lastTimestamp',
    'count',
  ]) {
    if (!same(k)) {
      const v = e[k];
      errs.push(
        invalid(
          fieldName[k] ?? k,
          typeof v === 'string' || typeof v === 'number' ? v : null,
          'field is immutable',
        ),
      );
    }
  }
  return errs;
}

const strategy: Strategy = {
  validate: validateEvent,
  validateUpdate: validateEventUpdate,
};

const CORE_FIELDS = [
  'involvedObject.kind',
  'involvedObject.namespace',
  'involvedObject.name',
  'involvedObject.uid',
  'involvedObject.apiVersion',
  'involvedObject.resourceVersion',
  'involvedObject.fieldPath',
  'reason',
  'reportingComponent',
  'source',
  'type',
];

function coreFieldSet(e: JsonObject): Record<string, string> {
  const io = obj(e.involvedObject);
  return {
    'involvedObject.kind': text(io.kind),
    'involvedObject.namespace': text(io.namespace),
    'involvedObject.name': text(io.name),
    'involvedObject.uid': text(io.uid),
    'involvedObject.apiVersion': text(io.apiVersion),
    'involvedObject.resourceVersion': text(io.resourceVersion),
    'involvedObject.fieldPath': text(io.fieldPath),
    reason: text(e.reason),
    reportingComponent: text(e.reportingComponent),
    source: text(obj(e.source).component),
    type: text(e.type),
  };
}

export function coreEventsResource(store: ObjectStore): Resource {
  return builtin({
    group: '',
    version: 'v1',
    plural: 'events',
    singular: 'event',
    kind: 'Event',
    namespaced: true,
    shortNames: ['ev'],
    store,
    type: CoreEvent,
    strategy,
    allowCreateOnUpdate: true,
    fieldLabels: CORE_FIELDS,
    fieldSet: coreFieldSet,
  });
}

export function eventsV1Resource(store: ObjectStore): Resource {
  const codec: Codec = {
    decode(raw) {
      const { value, unknown } = decodeObject(raw, EventsV1Event);
      value.kind = 'Event';
      value.apiVersion = 'events.k8s.io/v1';
      return { obj: canonical(value, EventsV1Event), unknown };
    },
    canonicalStorage: (o) => canonical({ ...o, kind: 'Event', apiVersion: 'v1' }, CoreEvent),
    toStorage: toCore,
    fromStorage: fromCore,
    bookmark: (rv) =>
      canonical(
        { kind: 'Event', apiVersion: 'events.k8s.io/v1', metadata: { resourceVersion: String(rv) } },
        EventsV1Event,
      ),
  };
  const r = builtin({
    group: 'events.k8s.io',
    version: 'v1',
    plural: 'events',
    singular: 'event',
    kind: 'Event',
    namespaced: true,
    shortNames: ['ev'],
    store,
    type: EventsV1Event,
    codec,
    strategy,
    allowCreateOnUpdate: true,
    qualifiedResource: EVENTS_RESOURCE,
    qualifiedKind: CORE_KIND,
  });
  return { ...r, storageVersionHash: storageVersionHash('', 'v1', 'Event') };
}
