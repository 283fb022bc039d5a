// The generic registry: get, list, create, update, patch and delete for any Resource, with the
// ordering of checks kube-apiserver's generic store has (decode → admission → prepare →
// validate → preconditions → write) and its answers for each failure.
import { randomUUID } from 'node:crypto';
import {
  OPTIMISTIC_LOCK,
  alreadyExists,
  badRequest,
  conflict,
  expired,
  forbidden,
  genericUnprocessable,
  invalid,
  notFound,
  tooLargeResourceVersion,
  unsupportedMediaType,
} from '../errors.js';
import type { StatusError } from '../errors.js';
import { GoRepr, invalid as invalidField } from '../fielderrors.js';
import type { FieldError } from '../fielderrors.js';
import { nowTime } from '../gotime.js';
import { updateManagedFields } from '../managedfields.js';
import {
  JsonPatchApplyError,
  JsonPatchDecodeError,
  applyJsonPatch,
  decodeJsonPatch,
} from '../patch/jsonpatch.js';
import { applyMergePatch } from '../patch/mergepatch.js';
import { StrategicPatchError, applyStrategicPatch } from '../patch/strategic.js';
import { BadContinueToken, decodeContinue, encodeContinue } from '../storage/continuetoken.js';
import { Compacted, keyOf, orderedMeta } from '../storage/store.js';
import type { ObjectStore, StoredObject } from '../storage/store.js';
import { DecodeError } from '../types/codec.js';
import { isPlainObject } from '../types/model.js';
import type { JsonObject, JsonValue } from '../types/model.js';
import { validateObjectMetaUpdate } from '../validation/meta.js';
import { isValidPathSegmentName } from '../validation/names.js';
import type { ListOptions } from './options.js';
import { parseRV } from './options.js';
import { apiVersionOf } from './types.js';
import type { OpContext, Resource } from './types.js';

export type FieldValidation = 'Ignore' | 'Warn' | 'Strict';

export interface WriteOptions {
  fieldValidation: FieldValidation;
}

export interface DeleteOpts {
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: string;
  orphanDependents?: boolean;
}

export const meta = (o: JsonObject): JsonObject => {
  if (!isPlainObject(o.metadata)) o.metadata = {};
  return o.metadata;
};
const str = (v: JsonValue | undefined): string => (typeof v === 'string' ? v : '');

/** What a write produced: the stored record (or a dry-run object) and its HTTP status. */
export interface WriteResult {
  status: number;
  obj: JsonObject;
  /** present when the stored JSON can be sent as is */
  rec?: StoredObject;
}

const GENERATE_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

export class Registry {
  constructor(
    private readonly namespaces: () => ObjectStore,
    /** how long a NotOlderThan read waits for a future revision, ms (kube-apiserver: 3 s) */
    private readonly freshnessWaitMs = 3000,
  ) {}

  // ---------------------------------------------------------------- reads

  get(res: Resource, ns: string, name: string): StoredObject {
    const rec = res.store.get(ns, name);
    if (!rec) throw notFound(res.qualifiedResource, name);
    return rec;
  }

  /** Waits (briefly) until `rv` exists, as the watch cache does before serving it. */
  async waitForRV(store: ObjectStore, rv: number): Promise<void> {
    if (rv <= store.revision.current) return;
    const deadline = Date.now() + this.freshnessWaitMs;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      if (rv <= store.revision.current) return;
    }
    throw tooLargeResourceVersion(rv, store.revision.current);
  }

  async list(
    res: Resource,
    ns: string,
    o: ListOptions,
  ): Promise<{ items: StoredObject[]; rv: number; cont?: string; remaining?: number }> {
    const store = res.store;
    const matches = (rec: StoredObject): boolean => this.matches(res, rec, o);
    let source: StoredObject[];
    let listRV: number;
    let start = '';
    let paginate = o.limit > 0;
    if (o.continueToken) {
      if (o.resourceVersion !== undefined)
        throw badRequest('specifying resource version is not allowed when using continue');
      let tok;
      try {
        tok = decodeContinue(o.continueToken);
      } catch (e) {
        if (e instanceof BadContinueToken) throw badRequest(`invalid continue token: ${e.message}`);
        throw e;
      }
      start = tok.start;
      if (tok.rv === -1) {
        listRV = store.revision.current;
        source = store.list(ns || undefined);
      } else {
        try {
          source = store.listAt(tok.rv, ns || undefined);
        } catch (e) {
          if (e instanceof Compacted)
            throw expired(
              'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
              encodeContinue(-1, tok.start),
            );
          throw e;
        }
        listRV = tok.rv;
      }
    } else if (o.resourceVersionMatch === 'Exact') {
      const rv = parseRV(o.resourceVersion ?? '');
      if (rv > store.revision.current) throw tooLargeResourceVersion(rv, store.revision.current);
      try {
        source = store.listAt(rv, ns || undefined);
      } catch (e) {
        if (e instanceof Compacted) throw expired('The resourceVersion for the provided list is too old.');
        throw e;
      }
      listRV = rv;
    } else {
      if (o.resourceVersion !== undefined) {
        const rv = parseRV(o.resourceVersion);
        // Served from the watch cache: the limit does not apply (resourceVersion=0, or any
        // "not older than" read without a limit).
        if (rv === 0 || !paginate) paginate = false;
        await this.waitForRV(store, rv);
      }
      listRV = store.revision.current;
      source = store.list(ns || undefined);
    }
    const items: StoredObject[] = [];
    let i = 0;
    if (start) {
      while (i < source.length && (source[i] as StoredObject).key < start) i++;
    }
    for (; i < source.length; i++) {
      const rec = source[i] as StoredObject;
      if (!matches(rec)) continue;
      items.push(rec);
      if (paginate && items.length === o.limit) {
        i++;
        break;
      }
    }
    const out: { items: StoredObject[]; rv: number; cont?: string; remaining?: number } = {
      items,
      rv: listRV,
    };
    if (paginate && items.length === o.limit && i < source.length) {
      const last = items[items.length - 1] as StoredObject;
      out.cont = encodeContinue(listRV, last.key + '\u0000');
      if (o.labelSelector.empty && o.fieldSelector.empty) out.remaining = source.length - i;
    }
    return out;
  }

  matches(
    res: Resource,
    rec: StoredObject,
    o: Pick<ListOptions, 'labelSelector' | 'fieldSelector'>,
  ): boolean {
    if (!o.labelSelector.empty) {
      const labels = (meta(rec.obj).labels ?? {}) as Record<string, string>;
      if (!o.labelSelector.matches(labels)) return false;
    }
    if (!o.fieldSelector.empty) {
      const fields: Record<string, string> = { 'metadata.name': rec.name };
      if (res.namespaced) fields['metadata.namespace'] = rec.namespace;
      Object.assign(fields, res.fieldSet(rec.obj));
      if (!o.fieldSelector.matches(fields)) return false;
    }
    return true;
  }

  // ---------------------------------------------------------------- decoding

  decode(res: Resource, raw: JsonValue, ctx: OpContext, wo: WriteOptions): JsonObject {
    if (!isPlainObject(raw))
      throw badRequest(
        `couldn't get version/kind; json parse error: json: cannot unmarshal ${Array.isArray(raw) ? 'array' : typeof raw} into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }`,
      );
    const gv = apiVersionOf(res);
    if (raw.apiVersion !== undefined && raw.apiVersion !== '' && raw.apiVersion !== gv)
      throw badRequest(
        `the API version in the data (${str(raw.apiVersion)}) does not match the expected API version (${gv})`,
      );
    if (raw.kind !== undefined && raw.kind !== '' && raw.kind !== res.kind)
      throw badRequest(
        `the object provided is unrecognized (must be of type ${res.kind}): object *${res.kind} does not implement the kind ${str(raw.kind)}`,
      );
    let decoded;
    try {
      decoded = res.codec.decode(raw, ctx);
    } catch (e) {
      if (e instanceof DecodeError)
        throw badRequest(
          `${res.kind} in version "${res.version}" cannot be handled as a ${res.kind}: ${e.message}`,
        );
      throw e;
    }
    this.unknownFields(decoded.unknown, ctx, wo);
    return decoded.obj;
  }

  private unknownFields(unknown: string[], ctx: OpContext, wo: WriteOptions): void {
    if (!unknown.length || wo.fieldValidation === 'Ignore') return;
    if (wo.fieldValidation === 'Strict')
      throw badRequest(`strict decoding error: ${unknown.map((u) => `unknown field "${u}"`).join(', ')}`);
    for (const u of unknown) ctx.warnings.push(`unknown field "${u}"`);
  }

  // ---------------------------------------------------------------- create

  create(res: Resource, ns: string, raw: JsonValue, ctx: OpContext, wo: WriteOptions): WriteResult {
    const view = this.decode(res, raw, ctx, wo);
    const obj = res.codec.toStorage(view);
    const m = meta(obj);
    if (res.namespaced) {
      if (str(m.namespace) && m.namespace !== ns)
        throw badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      m.namespace = ns;
    } else delete m.namespace;
    return this.createObject(res, ns, obj, ctx);
  }

  private createObject(res: Resource, ns: string, obj: JsonObject, ctx: OpContext): WriteResult {
    const m = meta(obj);
    if (str(m.resourceVersion)) {
      throw invalid(res.qualifiedKind, str(m.name), [
        invalidField('metadata.resourceVersion', str(m.resourceVersion), 'must be empty'),
      ]);
    }
    this.checkNamespace(res, ns, str(m.name) || str(m.generateName));
    // Fields the request set, before admission and system fields.
    const requestObj = structuredClone(obj);
    res.strategy.admitCreate?.(obj, ctx);
    m.uid = randomUUID();
    m.creationTimestamp = nowTime(ctx.now);
    delete m.deletionTimestamp;
    delete m.deletionGracePeriodSeconds;
    delete m.selfLink;
    delete m.managedFields;
    if (!str(m.name) && str(m.generateName)) m.name = this.generateName(res, ns, str(m.generateName));
    const name = str(m.name);
    const finish = res.strategy.beginCreate?.(obj, ctx);
    let ok = false;
    try {
      res.strategy.prepareForCreate?.(obj, ctx);
      let errs = res.strategy.validate(obj, ctx);
      if (!errs.length) errs = this.commonMeta(obj);
      if (errs.length) throw invalid(res.qualifiedKind, name, errs);
      if (res.store.get(ns, name)) throw alreadyExists(res.qualifiedResource, name);
      const stored = res.codec.canonicalStorage(obj);
      this.setManagedFields(res, stored, updateManagedFields(undefined, requestObj, this.who(res, ctx)));
      if (ctx.dryRun) return { status: 201, obj: stored };
      const rec = res.store.put(res.namespaced ? ns : '', name, stored);
      ok = true;
      return { status: 201, obj: rec.obj, rec };
    } finally {
      finish?.(ok && !ctx.dryRun);
    }
  }

  /** Sets managedFields on a canonical object, keeping metadata's key order. */
  private setManagedFields(res: Resource, o: JsonObject, mf: JsonValue[]): void {
    const m = { ...meta(o) };
    if (mf.length) m.managedFields = mf;
    else delete m.managedFields;
    o.metadata = orderedMeta(m, res.store.sortedWrites);
  }

  private generateName(res: Resource, ns: string, base: string): string {
    const prefix = base.length > 58 ? base.slice(0, 58) : base;
    for (;;) {
      let s = '';
      for (let i = 0; i < 5; i++) s += GENERATE_CHARS[Math.floor(Math.random() * GENERATE_CHARS.length)];
      if (!res.store.get(ns, prefix + s)) return prefix + s;
    }
  }

  private commonMeta(obj: JsonObject): FieldError[] {
    const m = meta(obj);
    const errs: FieldError[] = [];
    const name = str(m.name);
    for (const msg of isValidPathSegmentName(name)) errs.push(invalidField('metadata.name', name, msg));
    return errs;
  }

  /** NamespaceLifecycle: content may only be created in an existing, active namespace. */
  private checkNamespace(res: Resource, ns: string, name: string): void {
    if (!res.namespaced) return;
    const nsRec = this.namespaces().get('', ns);
    if (!nsRec) throw notFound({ group: '', name: 'namespaces' }, ns);
    const nsMeta = meta(nsRec.obj);
    if (nsMeta.deletionTimestamp) {
      throw forbidden(
        res.qualifiedResource,
        name,
        `unable to create new content in namespace ${ns} because it is being terminated`,
        [
          {
            reason: 'NamespaceTerminating',
            message: `namespace ${ns} is being terminated`,
            field: 'metadata.namespace',
          },
        ],
      );
    }
  }

  private who(res: Resource, ctx: OpContext): Parameters<typeof updateManagedFields>[2] {
    return {
      manager: ctx.manager,
      apiVersion: ctx.requestVersion,
      subresource: ctx.subresource === 'status' ? 'status' : '',
      time: nowTime(ctx.now),
      type: res.type,
      hasStatusSubresource: res.subresources.includes('status'),
    };
  }

  // ---------------------------------------------------------------- update

  update(
    res: Resource,
    ns: string,
    name: string,
    raw: JsonValue,
    ctx: OpContext,
    wo: WriteOptions,
  ): WriteResult {
    const view = this.decode(res, raw, ctx, wo);
    const obj = res.codec.toStorage(view);
    const m = meta(obj);
    if (!str(m.name)) m.name = name;
    if (m.name !== name)
      throw badRequest(
        `the name of the object (${str(m.name)}) does not match the name on the URL (${name})`,
      );
    if (res.namespaced) {
      if (str(m.namespace) && m.namespace !== ns)
        throw badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      m.namespace = ns;
    } else delete m.namespace;
    const existing = res.store.get(ns, name);
    if (!existing) {
      if (res.allowCreateOnUpdate && ctx.subresource === '') return this.createObject(res, ns, obj, ctx);
      throw notFound(res.qualifiedResource, name);
    }
    this.preconditions(res, existing, obj);
    return this.applyUpdate(res, existing, obj, ctx);
  }

  private preconditions(res: Resource, existing: StoredObject, obj: JsonObject): void {
    const m = meta(obj);
    const rv = str(m.resourceVersion);
    if (!rv) {
      if (!res.allowUnconditionalUpdate)
        throw invalid(res.qualifiedResource, existing.name, [
          invalidField('metadata.resourceVersion', new GoRepr('0x0'), 'must be specified for an update'),
        ]);
    } else if (rv !== String(existing.rv)) {
      throw conflict(res.qualifiedResource, existing.name, OPTIMISTIC_LOCK);
    }
    const uid = str(m.uid);
    const oldUid = str(meta(existing.obj).uid);
    if (uid && uid !== oldUid)
      throw conflict(
        res.qualifiedResource,
        existing.name,
        `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${oldUid}`,
      );
  }

  /** BeforeUpdate + store write, shared by PUT and PATCH. */
  private applyUpdate(res: Resource, existing: StoredObject, obj: JsonObject, ctx: OpContext): WriteResult {
    const old = existing.obj;
    const m = meta(obj);
    const om = meta(old);
    if (om.generation !== undefined) m.generation = om.generation;
    else delete m.generation;
    if (ctx.subresource === 'status') {
      if (res.strategy.prepareForStatusUpdate) res.strategy.prepareForStatusUpdate(obj, old, ctx);
      else if (old.spec !== undefined) obj.spec = structuredClone(old.spec);
      else delete obj.spec;
    } else if (ctx.subresource === 'finalize') res.strategy.prepareForFinalize?.(obj, old, ctx);
    else res.strategy.prepareForUpdate?.(obj, old, ctx);
    if (!str(m.uid)) m.uid = om.uid ?? '';
    m.creationTimestamp = om.creationTimestamp ?? null;
    if (om.deletionTimestamp) m.deletionTimestamp = om.deletionTimestamp;
    else delete m.deletionTimestamp;
    if (om.deletionGracePeriodSeconds !== undefined)
      m.deletionGracePeriodSeconds = om.deletionGracePeriodSeconds;
    else delete m.deletionGracePeriodSeconds;
    m.resourceVersion = String(existing.rv);
    const validateFn =
      ctx.subresource === 'status' && res.strategy.validateStatusUpdate
        ? res.strategy.validateStatusUpdate.bind(res.strategy)
        : res.strategy.validateUpdate.bind(res.strategy);
    let errs = validateFn(obj, old, ctx);
    if (!errs.length) errs = validateObjectMetaUpdate(m, om);
    if (errs.length) throw invalid(res.qualifiedKind, existing.name, errs);
    const finish = res.strategy.beginUpdate?.(obj, old, ctx);
    let ok = false;
    try {
      const stored = res.codec.canonicalStorage(obj);
      this.setManagedFields(res, stored, updateManagedFields(old, stored, this.who(res, ctx)));
      if (JSON.stringify(stored) === existing.json) {
        ok = true;
        return { status: 200, obj: existing.obj, rec: existing };
      }
      if (ctx.dryRun) return { status: 200, obj: stored };
      const sm = meta(stored);
      const finalizers = Array.isArray(sm.finalizers) ? sm.finalizers : [];
      if (sm.deletionTimestamp && finalizers.length === 0 && (res.canFinalize?.(stored) ?? true)) {
        res.store.remove(existing.namespace, existing.name);
        res.strategy.afterDelete?.(stored);
        ok = true;
        return { status: 200, obj: stored };
      }
      const rec = res.store.put(existing.namespace, existing.name, stored);
      ok = true;
      return { status: 200, obj: rec.obj, rec };
    } finally {
      finish?.(ok && !ctx.dryRun);
    }
  }

  // ---------------------------------------------------------------- patch

  patch(
    res: Resource,
    ns: string,
    name: string,
    contentType: string,
    body: string,
    ctx: OpContext,
    wo: WriteOptions,
  ): WriteResult {
    const smpAllowed = res.type !== undefined;
    const accepted = [
      'application/json-patch+json',
      'application/merge-patch+json',
      ...(smpAllowed ? ['application/strategic-merge-patch+json'] : []),
    ];
    if (contentType === 'application/apply-patch+yaml' || contentType === 'application/apply-patch+cbor')
      throw unsupportedMediaType(
        `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')} (server-side apply is not implemented by this server)`,
        false,
      );
    if (!accepted.includes(contentType)) {
      // Built-in routes reject unknown patch types in the router; custom resources list what they take.
      if (smpAllowed) throw unsupportedMediaType();
      throw unsupportedMediaType(
        'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
        false,
      );
    }
    const existing = res.store.get(ns, name);
    if (!existing) throw notFound(res.qualifiedResource, name);
    let patchDoc: JsonValue;
    try {
      patchDoc = JSON.parse(body) as JsonValue;
    } catch (e) {
      throw badRequest((e as Error).message);
    }
    const current = res.storageIsView ? existing.obj : res.codec.fromStorage(existing.obj);
    let patched: JsonValue;
    try {
      if (contentType === 'application/json-patch+json')
        patched = applyJsonPatch(current, decodeJsonPatch(patchDoc));
      else if (contentType === 'application/merge-patch+json') patched = applyMergePatch(current, patchDoc);
      else patched = applyStrategicPatch(current, patchDoc, res.type as NonNullable<typeof res.type>);
    } catch (e) {
      if (e instanceof JsonPatchDecodeError) throw badRequest(e.message);
      if (e instanceof JsonPatchApplyError) throw genericUnprocessable();
      if (e instanceof StrategicPatchError) throw badRequest(e.message);
      throw e;
    }
    if (!isPlainObject(patched)) throw genericUnprocessable();
    let view: JsonObject;
    try {
      view = this.decode(res, patched, ctx, wo);
    } catch (e) {
      const se = e as StatusError;
      if (se.status?.code === 400 && se.status.message?.includes('cannot be handled as'))
        throw invalid({ group: '', name: '' }, '', [
          invalidField(
            'patch',
            JSON.stringify(patched),
            se.status.message.replace(/^.*cannot be handled as a \w+: /, ''),
          ),
        ]);
      throw e;
    }
    const obj = res.codec.toStorage(view);
    const m = meta(obj);
    if (m.name !== name)
      throw badRequest(
        `the name of the object (${str(m.name)}) does not match the name on the URL (${name})`,
      );
    if (res.namespaced) m.namespace = ns;
    if (str(m.resourceVersion) && m.resourceVersion !== String(existing.rv))
      throw conflict(res.qualifiedResource, name, OPTIMISTIC_LOCK);
    if (!str(m.resourceVersion)) m.resourceVersion = String(existing.rv);
    const uid = str(m.uid);
    if (uid && uid !== str(meta(existing.obj).uid))
      throw conflict(
        res.qualifiedResource,
        name,
        `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${str(meta(existing.obj).uid)}`,
      );
    return this.applyUpdate(res, existing, obj, ctx);
  }

  // ---------------------------------------------------------------- delete

  delete(
    res: Resource,
    ns: string,
    name: string,
    opts: DeleteOpts,
    ctx: OpContext,
  ): WriteResult & { deleted: boolean } {
    const existing = res.store.get(ns, name);
    if (!existing) throw notFound(res.qualifiedResource, name);
    const em = meta(existing.obj);
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== str(em.uid))
      throw conflict(
        res.qualifiedResource,
        name,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${str(em.uid)}`,
      );
    if (pre?.resourceVersion && pre.resourceVersion !== String(existing.rv))
      throw conflict(
        res.qualifiedResource,
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${existing.rv}`,
      );
    const obj = structuredClone(existing.obj);
    const m = meta(obj);
    if (res.deleteHook) {
      const out = res.deleteHook(obj, ctx);
      if (out !== 'delete') return this.writeDeleting(res, existing, out, ctx);
    }
    const finalizers = Array.isArray(m.finalizers) ? (m.finalizers as string[]) : [];
    const policy =
      opts.propagationPolicy ??
      (opts.orphanDependents === true
        ? 'Orphan'
        : opts.orphanDependents === false
          ? 'Background'
          : undefined);
    const extra = policy === 'Orphan' ? 'orphan' : policy === 'Foreground' ? 'foregroundDeletion' : undefined;
    if (finalizers.length > 0 || extra) {
      if (extra && !finalizers.includes(extra) && !m.deletionTimestamp) m.finalizers = [...finalizers, extra];
      if (!m.deletionTimestamp) {
        m.deletionTimestamp = nowTime(ctx.now);
        m.deletionGracePeriodSeconds = 0;
      }
      return this.writeDeleting(res, existing, obj, ctx);
    }
    if (ctx.dryRun) return { status: 200, obj: existing.obj, deleted: true };
    res.store.remove(existing.namespace, existing.name);
    res.strategy.afterDelete?.(existing.obj);
    return { status: 200, obj: existing.obj, rec: existing, deleted: true };
  }

  /** Graceful deletion: the object stays, marked, until its finalizers are gone. */
  private writeDeleting(
    res: Resource,
    existing: StoredObject,
    obj: JsonObject,
    ctx: OpContext,
  ): WriteResult & { deleted: boolean } {
    const stored = res.codec.canonicalStorage(obj);
    if (JSON.stringify(stored) === existing.json || ctx.dryRun)
      return {
        status: 200,
        obj: ctx.dryRun ? stored : existing.obj,
        rec: ctx.dryRun ? undefined : existing,
        deleted: false,
      };
    const rec = res.store.put(existing.namespace, existing.name, stored);
    return { status: 200, obj: rec.obj, rec, deleted: false };
  }

  keyOf(ns: string, name: string): string {
    return keyOf(ns, name);
  }
}
