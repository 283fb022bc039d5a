// meta/v1 structs shared by every kind, in Go field order.
import { bool, f, i32, i64, map, ptr, raw, req, slice, str, struct, time } from './model.js';

export const OwnerReference = struct('v1.OwnerReference', [
  req('apiVersion', str),
  req('kind', str),
  req('name', str),
  req('uid', str),
  f('controller', ptr(bool)),
  f('blockOwnerDeletion', ptr(bool)),
]);

export const ManagedFieldsEntry = struct('v1.ManagedFieldsEntry', [
  f('manager', str),
  f('operation', str),
  f('apiVersion', str),
  f('time', ptr(time)),
  f('fieldsType', str),
  f('fieldsV1', raw),
  f('subresource', str),
]);

export const ObjectMeta = struct('v1.ObjectMeta', [
  f('name', str),
  f('generateName', str),
  f('namespace', str),
  f('selfLink', str),
  f('uid', str),
  f('resourceVersion', str),
  f('generation', i64),
  f('creationTimestamp', time),
  f('deletionTimestamp', ptr(time)),
  f('deletionGracePeriodSeconds', ptr(i64)),
  f('labels', map(str)),
  f('annotations', map(str)),
  f('ownerReferences', slice(OwnerReference), {
    patchStrategy: 'merge',
    patchMergeKey: 'uid',
    listType: 'map',
    listMapKeys: ['uid'],
  }),
  f('finalizers', slice(str), { patchStrategy: 'merge', listType: 'set' }),
  f('managedFields', slice(ManagedFieldsEntry), { listType: 'atomic' }),
]);

/** core/v1 ObjectReference (Event.involvedObject, EndpointSlice targetRef). */
export const ObjectReference = struct('v1.ObjectReference', [
  f('kind', str),
  f('namespace', str),
  f('name', str),
  f('uid', str),
  f('apiVersion', str),
  f('resourceVersion', str),
  f('fieldPath', str),
]);

/** metav1.Condition */
export const Condition = struct('v1.Condition', [
  req('type', str),
  req('status', str),
  f('observedGeneration', i64),
  req('lastTransitionTime', time),
  req('reason', str),
  req('message', str),
]);

export const StatusCauseType = struct('v1.StatusCause', [
  f('reason', str),
  f('message', str),
  f('field', str),
]);

export const DeleteOptions = struct('v1.DeleteOptions', [
  f('kind', str),
  f('apiVersion', str),
  f('gracePeriodSeconds', ptr(i64)),
  f('preconditions', ptr(struct('v1.Preconditions', [f('uid', ptr(str)), f('resourceVersion', ptr(str))]))),
  f('orphanDependents', ptr(bool)),
  f('propagationPolicy', ptr(str)),
  f('dryRun', slice(str)),
  f('ignoreStoreReadErrorWithClusterBreakingPotential', ptr(bool)),
]);

export const int32Type = i32;
