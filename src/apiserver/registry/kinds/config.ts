// core/v1 ConfigMaps and Secrets: key syntax, size limits, `immutable`, Secret types.
import { forbidden, invalid, required, tooLong } from '../../fielderrors.js';
import type { FieldError } from '../../fielderrors.js';
import type { ObjectStore } from '../../storage/store.js';
import { ConfigMap, Secret } from '../../types/core.js';
import type { JsonObject } from '../../types/model.js';
import { validateObjectMeta } from '../../validation/meta.js';
import { nameIsDNSSubdomain, regexError } from '../../validation/names.js';
import { builtin, obj, text } from '../builtin.js';
import type { Resource } from '../types.js';

const MAX_SIZE = 1024 * 1024;
const KEY_RE = /^[-._a-zA-Z0-9]+$/;

function configKeyErrors(key: string): string[] {
  const errs: string[] = [];
  if (key.length > 253) errs.push('must be no more than 253 characters');
  if (!KEY_RE.test(key))
    errs.push(
      regexError(
        "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
        '[-._a-zA-Z0-9]+',
        'key.name',
        'KEY_NAME',
        'key-name',
      ),
    );
  if (key === '.') errs.push("must not be '.'");
  else if (key === '..') errs.push("must not be '..'");
  else if (key.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

function validateKeys(field: string, m: JsonObject, errs: FieldError[]): number {
  let size = 0;
  for (const [k, v] of Object.entries(m)) {
    for (const msg of configKeyErrors(k)) errs.push(invalid(`${field}[${k}]`, k, msg));
    size +=
      typeof v === 'string' ? (field === 'data' ? Buffer.byteLength(v) : Buffer.from(v, 'base64').length) : 0;
  }
  return size;
}

function immutability(o: JsonObject, old: JsonObject, fields: string[]): FieldError[] {
  const errs: FieldError[] = [];
  if (old.immutable === true) {
    if (o.immutable !== true) errs.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
    for (const f of fields)
      if (JSON.stringify(o[f] ?? null) !== JSON.stringify(old[f] ?? null))
        errs.push(forbidden(f, 'field is immutable when `immutable` is set'));
  }
  return errs;
}

function validateConfigMap(o: JsonObject): FieldError[] {
  const errs = validateObjectMeta(obj(o.metadata), true, nameIsDNSSubdomain);
  const data = obj(o.data);
  const bin = obj(o.binaryData);
  let size = validateKeys('data', data, errs);
  for (const k of Object.keys(bin)) {
    for (const msg of configKeyErrors(k)) errs.push(invalid(`binaryData[${k}]`, k, msg));
    if (k in data) errs.push(invalid(`binaryData[${k}]`, k, 'duplicate of key present in data'));
    size += Buffer.from(text(bin[k]), 'base64').length;
  }
  if (size > MAX_SIZE) errs.push(tooLong('', MAX_SIZE));
  return errs;
}

export function configMapsResource(store: ObjectStore): Resource {
  return builtin({
    group: '',
    version: 'v1',
    plural: 'configmaps',
    singular: 'configmap',
    kind: 'ConfigMap',
    namespaced: true,
    shortNames: ['cm'],
    store,
    type: ConfigMap,
    strategy: {
      validate: (o) => validateConfigMap(o),
      validateUpdate: (o, old) => [...immutability(o, old, ['data', 'binaryData']), ...validateConfigMap(o)],
    },
  });
}

function validateSecret(o: JsonObject): FieldError[] {
  const errs = validateObjectMeta(obj(o.metadata), true, nameIsDNSSubdomain);
  const data = obj(o.data);
  let size = 0;
  for (const [k, v] of Object.entries(data)) {
    for (const msg of configKeyErrors(k)) errs.push(invalid(`data[${k}]`, k, msg));
    size += Buffer.from(text(v), 'base64').length;
  }
  if (size > MAX_SIZE) errs.push(tooLong('data', MAX_SIZE));
  const type = text(o.type);
  const need = (key: string): void => {
    if (!(key in data)) errs.push(required(`data[${key}]`));
  };
  if (type === 'kubernetes.io/tls') {
    need('tls.crt');
    need('tls.key');
  } else if (type === 'kubernetes.io/dockerconfigjson') need('.dockerconfigjson');
  else if (type === 'kubernetes.io/dockercfg') need('.dockercfg');
  else if (type === 'kubernetes.io/basic-auth') {
    if (!('username' in data) && !('password' in data)) errs.push(required('data[username]'));
  } else if (type === 'kubernetes.io/ssh-auth') need('ssh-privatekey');
  else if (type === 'kubernetes.io/service-account-token') {
    if (!text(obj(obj(o.metadata).annotations)['kubernetes.io/service-account.name']))
      errs.push(required('metadata.annotations[kubernetes.io/service-account.name]'));
  }
  return errs;
}

export function secretsResource(store: ObjectStore): Resource {
  return builtin({
    group: '',
    version: 'v1',
    plural: 'secrets',
    singular: 'secret',
    kind: 'Secret',
    namespaced: true,
    store,
    type: Secret,
    fieldLabels: ['type'],
    fieldSet: (o) => ({ type: text(o.type) }),
    defaults(o) {
      if (!text(o.type)) o.type = 'Opaque';
      // stringData is write-only: it is folded into data (later keys win) and never stored.
      const sd = obj(o.stringData);
      if (Object.keys(sd).length) {
        const data = obj(o.data);
        for (const [k, v] of Object.entries(sd)) data[k] = Buffer.from(text(v)).toString('base64');
        o.data = data;
      }
      delete o.stringData;
    },
    strategy: {
      validate: (o) => validateSecret(o),
      validateUpdate(o, old) {
        const errs = [...immutability(o, old, ['data']), ...validateSecret(o)];
        if (text(o.type) !== text(old.type)) errs.push(invalid('type', text(o.type), 'field is immutable'));
        return errs;
      },
    },
  });
}
