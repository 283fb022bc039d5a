// apiextensions.k8s.io/v1 CustomResourceDefinitions: defaulting, validation (names, versions,
// schemas through the schema module), status kept apart, and the deletion that first marks the
// CRD Terminating with the cleanup finalizer so instances can be removed before it goes.
import { badRequest } from '../../errors.js';
import { fromCause, invalid, notSupported, required, GoRepr } from '../../fielderrors.js';
import type { FieldError } from '../../fielderrors.js';
import { nowTime } from '../../gotime.js';
import { compileSchema } from '../../schema/index.js';
import type { ObjectStore } from '../../storage/store.js';
import { CustomResourceDefinition } from '../../types/apis.js';
import type { JsonObject } from '../../types/model.js';
import { validateObjectMeta } from '../../validation/meta.js';
import { isDNS1035Label, isDNS1123Subdomain, nameIsDNSSubdomain } from '../../validation/names.js';
import { arr, builtin, obj, text } from '../builtin.js';
import type { Resource } from '../types.js';

export const CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

export function setCondition(crd: JsonObject, cond: JsonObject, now: number): void {
  const status = obj(crd.status);
  crd.status = status;
  const conds = arr(status.conditions).map(obj);
  const i = conds.findIndex((c) => c.type === cond.type);
  const prev = i >= 0 ? conds[i] : undefined;
  const next: JsonObject = {
    ...cond,
    lastTransitionTime:
      prev && prev.status === cond.status ? (prev.lastTransitionTime ?? nowTime(now)) : nowTime(now),
  };
  if (i >= 0) conds[i] = next;
  else conds.push(next);
  status.conditions = conds;
}

function versionList(spec: JsonObject): JsonObject[] {
  return arr(spec.versions).map(obj);
}

export function storageVersion(crd: JsonObject): string | undefined {
  return text(versionList(obj(crd.spec)).find((v) => v.storage === true)?.name) || undefined;
}

function validateNames(names: JsonObject, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const plural = text(names.plural);
  const singular = text(names.singular);
  const kind = text(names.kind);
  const listKind = text(names.listKind);
  const dns = (v: string, f: string, mixed: boolean): void => {
    const msgs = isDNS1035Label(mixed ? v.toLowerCase() : v);
    if (v && msgs.length)
      errs.push(
        invalid(
          `${path}.${f}`,
          v,
          (mixed ? 'may have mixed case, but should otherwise match: ' : '') + msgs.join(','),
        ),
      );
  };
  dns(plural, 'plural', false);
  dns(singular, 'singular', false);
  dns(kind, 'kind', true);
  dns(listKind, 'listKind', true);
  arr(names.shortNames).forEach((sn, i) => {
    const msgs = isDNS1035Label(text(sn));
    if (msgs.length) errs.push(invalid(`${path}.shortNames[${i}]`, text(sn), msgs.join(',')));
  });
  arr(names.categories).forEach((c, i) => {
    const msgs = isDNS1035Label(text(c));
    if (msgs.length) errs.push(invalid(`${path}.categories[${i}]`, text(c), msgs.join(',')));
  });
  if (kind && kind === listKind)
    errs.push(invalid(`${path}.listKind`, listKind, 'kind and listKind may not be the same'));
  if (!plural) errs.push(required(`${path}.plural`));
  if (!kind) errs.push(required(`${path}.kind`));
  if (!listKind) errs.push(required(`${path}.listKind`));
  return errs;
}

export function validateCRD(crd: JsonObject): FieldError[] {
  const m = obj(crd.metadata);
  const spec = obj(crd.spec);
  const errs = validateObjectMeta(m, false, nameIsDNSSubdomain);
  const group = text(spec.group);
  const names = obj(spec.names);
  if (text(m.name) !== `${text(names.plural)}.${group}`)
    errs.push(invalid('metadata.name', text(m.name), 'must be spec.names.plural+"."+spec.group'));
  if (!group) errs.push(required('spec.group'));
  else {
    for (const msg of isDNS1123Subdomain(group)) errs.push(invalid('spec.group', group, msg));
    if (group.split('.').length < 2)
      errs.push(invalid('spec.group', group, 'should be a domain with at least one dot'));
  }
  const scope = text(spec.scope);
  if (!scope) errs.push(required('spec.scope'));
  else if (scope !== 'Cluster' && scope !== 'Namespaced')
    errs.push(notSupported('spec.scope', scope, ['Cluster', 'Namespaced']));
  const versions = versionList(spec);
  if (versions.length === 0) errs.push(required('spec.versions', 'must have at least one version'));
  const seen = new Set<string>();
  let storage = 0;
  let unique = true;
  versions.forEach((v, i) => {
    const name = text(v.name);
    if (v.storage === true) storage++;
    if (seen.has(name)) unique = false;
    seen.add(name);
    const msgs = isDNS1035Label(name);
    if (msgs.length) errs.push(invalid(`spec.versions[${i}].name`, name, msgs.join(',')));
    const statusSub = obj(v.subresources).status !== undefined && obj(v.subresources).status !== null;
    const compiled = compileSchema(obj(v.schema).openAPIV3Schema, {
      fieldPath: `spec.versions[${i}].schema.openAPIV3Schema`,
      statusSubresource: statusSub,
    });
    if (!compiled.ok) {
      if (compiled.badRequest) throw badRequest(compiled.badRequest);
      errs.push(...compiled.causes.map(fromCause));
    }
    arr(v.additionalPrinterColumns).forEach((raw, j) => {
      const c = obj(raw);
      const p = `spec.versions[${i}].additionalPrinterColumns[${j}]`;
      if (!text(c.name)) errs.push(required(`${p}.name`));
      const t = text(c.type);
      const types = ['boolean', 'date', 'integer', 'number', 'string'];
      if (!types.includes(t)) errs.push(notSupported(`${p}.type`, t, types));
      if (!text(c.jsonPath)) errs.push(required(`${p}.JSONPath`));
    });
  });
  const versionsRepr = new GoRepr('[]apiextensions.CustomResourceDefinitionVersion{...}');
  if (!unique) errs.push(invalid('spec.versions', versionsRepr, 'must contain unique version names'));
  if (versions.length && storage !== 1)
    errs.push(
      invalid('spec.versions', versionsRepr, 'must have exactly one version marked as storage version'),
    );
  errs.push(...validateNames(names, 'spec.names'));
  const conv = obj(spec.conversion);
  const strategy = text(conv.strategy);
  if (strategy && strategy !== 'None' && strategy !== 'Webhook')
    errs.push(notSupported('spec.conversion.strategy', strategy, ['None', 'Webhook']));
  if (strategy === 'Webhook' && !conv.webhook)
    errs.push(required('spec.conversion.webhook', 'required when strategy is set to Webhook'));
  if (spec.preserveUnknownFields === true)
    errs.push(
      invalid(
        'spec.preserveUnknownFields',
        true,
        'cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead',
      ),
    );
  return errs;
}

function validateCRDUpdate(crd: JsonObject, old: JsonObject): FieldError[] {
  const errs = validateCRD(crd);
  const spec = obj(crd.spec);
  const oldSpec = obj(old.spec);
  if (text(spec.group) !== text(oldSpec.group))
    errs.push(invalid('spec.group', text(spec.group), 'field is immutable'));
  const established = arr(obj(old.status).conditions).some(
    (c) => obj(c).type === 'Established' && obj(c).status === 'True',
  );
  if (established && text(spec.scope) !== text(oldSpec.scope))
    errs.push(invalid('spec.scope', text(spec.scope), 'field is immutable'));
  if (text(obj(spec.names).plural) !== text(obj(oldSpec.names).plural))
    errs.push(invalid('spec.names.plural', text(obj(spec.names).plural), 'field is immutable'));
  // A version that still has stored objects must stay listed.
  const versions = new Set(versionList(spec).map((v) => text(v.name)));
  for (const sv of arr(obj(old.status).storedVersions).map(text))
    if (!versions.has(sv)) errs.push(invalid('status.storedVersions[0]', sv, 'must appear in spec.versions'));
  return errs;
}

function specChanged(a: JsonObject, b: JsonObject): boolean {
  return JSON.stringify(a.spec ?? null) !== JSON.stringify(b.spec ?? null);
}

export function crdsResource(store: ObjectStore): Resource {
  return builtin({
    group: 'apiextensions.k8s.io',
    version: 'v1',
    plural: 'customresourcedefinitions',
    singular: 'customresourcedefinition',
    kind: 'CustomResourceDefinition',
    namespaced: false,
    shortNames: ['crd', 'crds'],
    categories: ['api-extensions'],
    subresources: ['status'],
    store,
    type: CustomResourceDefinition,
    allowUnconditionalUpdate: false,
    defaults(o) {
      const spec = obj(o.spec);
      o.spec = spec;
      const names = obj(spec.names);
      spec.names = names;
      if (!text(names.singular) && text(names.kind)) names.singular = text(names.kind).toLowerCase();
      if (!text(names.listKind) && text(names.kind)) names.listKind = `${text(names.kind)}List`;
      if (!spec.conversion) spec.conversion = { strategy: 'None' };
      const hook = obj(obj(obj(spec.conversion).webhook).clientConfig).service;
      if (hook && typeof hook === 'object' && !Array.isArray(hook) && hook.port === undefined)
        hook.port = 443;
    },
    strategy: {
      prepareForCreate(o) {
        const stored = storageVersion(o);
        o.status = { storedVersions: stored ? [stored] : [] };
        obj(o.metadata).generation = 1;
      },
      prepareForUpdate(o, old) {
        o.status = structuredClone(old.status ?? {});
        const m = obj(o.metadata);
        const gen =
          typeof obj(old.metadata).generation === 'number' ? (obj(old.metadata).generation as number) : 1;
        m.generation = specChanged(o, old) ? gen + 1 : gen;
        const sv = storageVersion(o);
        const st = obj(o.status);
        const stored = arr(st.storedVersions).map(text);
        if (sv && !stored.includes(sv)) st.storedVersions = [...stored, sv];
      },
      validate: (o) => validateCRD(o),
      validateUpdate: (o, old) => validateCRDUpdate(o, old),
      validateStatusUpdate: () => [],
    },
    deleteHook(o, ctx) {
      const m = obj(o.metadata);
      if (m.deletionTimestamp) {
        const fin = arr(m.finalizers);
        return fin.length === 0 ? 'delete' : o;
      }
      m.deletionTimestamp = nowTime(ctx.now);
      m.deletionGracePeriodSeconds = 0;
      const fin = arr(m.finalizers).map(text);
      if (!fin.includes(CLEANUP_FINALIZER)) m.finalizers = [...fin, CLEANUP_FINALIZER];
      setCondition(
        o,
        {
          type: 'Terminating',
          status: 'True',
          reason: 'InstanceDeletionPending',
          message: 'CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon',
        },
        ctx.now,
      );
      return o;
    },
  });
}

export function versionsOf(crd: JsonObject): JsonObject[] {
  return versionList(obj(crd.spec));
}
