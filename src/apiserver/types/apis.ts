// Structs of the non-core groups served here: discovery.k8s.io, coordination.k8s.io,
// events.k8s.io and apiextensions.k8s.io, in Go field order.
import { ObjectMeta, ObjectReference } from './meta.js';
import { EventSource } from './core.js';
import {
  bool,
  bytes,
  f,
  f64,
  i32,
  i64,
  map,
  microTime,
  ptr,
  raw,
  req,
  slice,
  str,
  struct,
  time,
} from './model.js';
import type { GoType } from './model.js';

const typeMeta = [f('kind', str), f('apiVersion', str)];

// --- discovery.k8s.io/v1 EndpointSlice ------------------------------------------------------
const ForZone = struct('v1.ForZone', [req('name', str)]);
const ForNode = struct('v1.ForNode', [req('name', str)]);
export const EndpointSlice = struct('v1.EndpointSlice', [
  ...typeMeta,
  f('metadata', ObjectMeta),
  req('addressType', str),
  req(
    'endpoints',
    slice(
      struct('v1.Endpoint', [
        req('addresses', slice(str), { listType: 'set' }),
        f(
          'conditions',
          struct('v1.EndpointConditions', [
            f('ready', ptr(bool)),
            f('serving', ptr(bool)),
            f('terminating', ptr(bool)),
          ]),
        ),
        f('hostname', ptr(str)),
        f('targetRef', ptr(ObjectReference)),
        f('deprecatedTopology', map(str)),
        f('nodeName', ptr(str)),
        f('zone', ptr(str)),
        f(
          'hints',
          ptr(
            struct('v1.EndpointHints', [
              f('forZones', slice(ForZone), { listType: 'atomic' }),
              f('forNodes', slice(ForNode), { listType: 'atomic' }),
            ]),
          ),
        ),
      ]),
    ),
    { listType: 'atomic' },
  ),
  req(
    'ports',
    slice(
      struct('v1.EndpointPort', [
        f('name', ptr(str)),
        f('protocol', ptr(str)),
        f('port', ptr(i32)),
        f('appProtocol', ptr(str)),
      ]),
    ),
    { listType: 'atomic' },
  ),
]);

// --- coordination.k8s.io/v1 Lease ------------------------------------------------------------
export const Lease = struct('v1.Lease', [
  ...typeMeta,
  f('metadata', ObjectMeta),
  f(
    'spec',
    struct('v1.LeaseSpec', [
      f('holderIdentity', ptr(str)),
      f('leaseDurationSeconds', ptr(i32)),
      f('acquireTime', ptr(microTime)),
      f('renewTime', ptr(microTime)),
      f('leaseTransitions', ptr(i32)),
      f('strategy', ptr(str)),
      f('preferredHolder', ptr(str)),
    ]),
  ),
]);

// --- events.k8s.io/v1 Event ----------------------------------------------------------------
export const EventsV1Event = struct('v1.Event', [
  ...typeMeta,
  f('metadata', ObjectMeta),
  req('eventTime', microTime),
  f('series', ptr(struct('v1.EventSeries', [req('count', i32), req('lastObservedTime', microTime)]))),
  f('reportingController', str),
  f('reportingInstance', str),
  f('action', str),
  f('reason', str),
  f('regarding', ObjectReference),
  f('related', ptr(ObjectReference)),
  f('note', str),
  f('type', str),
  f('deprecatedSource', EventSource),
  f('deprecatedFirstTimestamp', time),
  f('deprecatedLastTimestamp', time),
  f('deprecatedCount', i32),
]);

// --- apiextensions.k8s.io/v1 CustomResourceDefinition ----------------------------------------
const jsonSchemaRef = (): GoType => JSONSchemaProps;
const schemaOrBool: GoType = {
  kind: 'union',
  goName: 'v1.JSONSchemaPropsOrBool',
  decode: (v) => (typeof v === 'boolean' ? 'bool' : jsonSchemaRef),
};
const schemaOrArray: GoType = {
  kind: 'union',
  goName: 'v1.JSONSchemaPropsOrArray',
  decode: (v) => (Array.isArray(v) ? slice(jsonSchemaRef) : jsonSchemaRef),
};
const schemaOrStringArray: GoType = {
  kind: 'union',
  goName: 'v1.JSONSchemaPropsOrStringArray',
  decode: (v) => (Array.isArray(v) ? 'stringArray' : jsonSchemaRef),
};

export const ValidationRule = struct('v1.ValidationRule', [
  req('rule', str),
  f('message', str),
  f('messageExpression', str),
  f('reason', ptr(str)),
  f('fieldPath', str),
  f('optionalOldSelf', ptr(bool)),
]);

export const JSONSchemaProps: GoType = struct('v1.JSONSchemaProps', [
  f('id', str),
  f('$schema', str),
  f('$ref', ptr(str)),
  f('description', str),
  f('type', str),
  f('format', str),
  f('title', str),
  f('default', raw),
  f('maximum', ptr(f64)),
  f('exclusiveMaximum', bool),
  f('minimum', ptr(f64)),
  f('exclusiveMinimum', bool),
  f('maxLength', ptr(i64)),
  f('minLength', ptr(i64)),
  f('pattern', str),
  f('maxItems', ptr(i64)),
  f('minItems', ptr(i64)),
  f('uniqueItems', bool),
  f('multipleOf', ptr(f64)),
  f('enum', slice(raw)),
  f('maxProperties', ptr(i64)),
  f('minProperties', ptr(i64)),
  f('required', slice(str)),
  f('items', schemaOrArray),
  f('allOf', slice(jsonSchemaRef)),
  f('oneOf', slice(jsonSchemaRef)),
  f('anyOf', slice(jsonSchemaRef)),
  f('not', ptr(jsonSchemaRef)),
  f('properties', map(jsonSchemaRef)),
  f('additionalProperties', schemaOrBool),
  f('patternProperties', map(jsonSchemaRef)),
  f('dependencies', map(schemaOrStringArray)),
  f('additionalItems', schemaOrBool),
  f('definitions', map(jsonSchemaRef)),
  f('externalDocs', ptr(struct('v1.ExternalDocumentation', [f('description', str), f('url', str)]))),
  f('example', raw),
  f('nullable', bool),
  f('x-kubernetes-preserve-unknown-fields', ptr(bool)),
  f('x-kubernetes-embedded-resource', bool),
  f('x-kubernetes-int-or-string', bool),
  f('x-kubernetes-list-map-keys', slice(str)),
  f('x-kubernetes-list-type', ptr(str)),
  f('x-kubernetes-map-type', ptr(str)),
  f('x-kubernetes-validations', slice(ValidationRule), {
    patchStrategy: 'merge',
    patchMergeKey: 'rule',
    listType: 'map',
    listMapKeys: ['rule'],
  }),
]);

export const CRDNames = struct('v1.CustomResourceDefinitionNames', [
  req('plural', str),
  f('singular', str),
  f('shortNames', slice(str)),
  req('kind', str),
  f('listKind', str),
  f('categories', slice(str)),
]);

const CRDCondition = struct('v1.CustomResourceDefinitionCondition', [
  req('type', str),
  req('status', str),
  f('lastTransitionTime', time),
  f('reason', str),
  f('message', str),
]);

const WebhookClientConfig = struct('v1.WebhookClientConfig', [
  f('url', ptr(str)),
  f(
    'service',
    ptr(
      struct('v1.ServiceReference', [
        req('namespace', str),
        req('name', str),
        f('path', ptr(str)),
        f('port', ptr(i32)),
      ]),
    ),
  ),
  f('caBundle', bytes),
]);

export const CustomResourceDefinition = struct('v1.CustomResourceDefinition', [
  ...typeMeta,
  f('metadata', ObjectMeta),
  req(
    'spec',
    struct('v1.CustomResourceDefinitionSpec', [
      req('group', str),
      req('names', CRDNames),
      req('scope', str),
      req(
        'versions',
        slice(
          struct('v1.CustomResourceDefinitionVersion', [
            req('name', str),
            req('served', bool),
            req('storage', bool),
            f('deprecated', bool),
            f('deprecationWarning', ptr(str)),
            f(
              'schema',
              ptr(struct('v1.CustomResourceValidation', [f('openAPIV3Schema', ptr(jsonSchemaRef))])),
            ),
            f(
              'subresources',
              ptr(
                struct('v1.CustomResourceSubresources', [
                  f('status', ptr(struct('v1.CustomResourceSubresourceStatus', []))),
                  f(
                    'scale',
                    ptr(
                      struct('v1.CustomResourceSubresourceScale', [
                        req('specReplicasPath', str),
                        req('statusReplicasPath', str),
                        f('labelSelectorPath', ptr(str)),
                      ]),
                    ),
                  ),
                ]),
              ),
            ),
            f(
              'additionalPrinterColumns',
              slice(
                struct('v1.CustomResourceColumnDefinition', [
                  req('name', str),
                  req('type', str),
                  f('format', str),
                  f('description', str),
                  f('priority', i32),
                  req('jsonPath', str),
                ]),
              ),
              { listType: 'atomic' },
            ),
            f('selectableFields', slice(struct('v1.SelectableField', [req('jsonPath', str)])), {
              listType: 'atomic',
            }),
          ]),
        ),
        { listType: 'atomic' },
      ),
      f(
        'conversion',
        ptr(
          struct('v1.CustomResourceConversion', [
            req('strategy', str),
            f(
              'webhook',
              ptr(
                struct('v1.WebhookConversion', [
                  f('clientConfig', ptr(WebhookClientConfig)),
                  req('conversionReviewVersions', slice(str), { listType: 'atomic' }),
                ]),
              ),
            ),
          ]),
        ),
      ),
      f('preserveUnknownFields', bool),
    ]),
  ),
  f(
    'status',
    struct('v1.CustomResourceDefinitionStatus', [
      req('conditions', slice(CRDCondition), { listType: 'map', listMapKeys: ['type'] }),
      req('acceptedNames', CRDNames),
      req('storedVersions', slice(str), { listType: 'atomic' }),
    ]),
  ),
]);
