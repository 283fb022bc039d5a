// Replays the custom resource records of the recorded kube-apiserver transcript (steps 49-60) through
// the schema module and compares with what the real server answered.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  causesMessage,
  compileSchema,
  pruneAndDefault,
  validate,
  type CompiledSchema,
  type FieldCause,
} from '../../../src/apiserver/schema/index.js';

interface TranscriptRecord {
  step: number;
  request: { body?: unknown };
  response: { status: number; body: Record<string, unknown> };
}

const transcript = JSON.parse(
  readFileSync(new URL('../../fixtures/k8s-protocol/transcript.json', import.meta.url), 'utf8'),
) as { records: TranscriptRecord[] };

function record(step: number): TranscriptRecord {
  const r = transcript.records.find((x) => x.step === step);
  if (!r) throw new Error(`no step ${step}`);
  return r;
}

function body(step: number): Record<string, unknown> {
  return record(step).request.body as Record<string, unknown>;
}

function crdSchema(): unknown {
  const crd = body(49) as { spec: { versions: Array<{ schema: { openAPIV3Schema: unknown } }> } };
  return crd.spec.versions[0]?.schema.openAPIV3Schema;
}

function compiled(): CompiledSchema {
  const r = compileSchema(crdSchema(), { statusSubresource: true });
  if (!r.ok) throw new Error(JSON.stringify(r.causes));
  return r.schema;
}

function expectedCauses(step: number): FieldCause[] {
  const details = record(step).response.body['details'] as { causes: FieldCause[] };
  return details.causes;
}

/** What the API server does on create: prune and default, then validate. */
function create(
  schema: CompiledSchema,
  obj: Record<string, unknown>,
): { obj: Record<string, unknown>; causes: FieldCause[] } {
  const out = pruneAndDefault(schema, obj);
  return { obj: out, causes: validate(schema, out) };
}

describe('transcript: CRD ipaddresspools.ironlb.io', () => {
  it('step 49: the CRD schema compiles (structural, CEL rule compiles)', () => {
    const r = compileSchema(crdSchema(), { statusSubresource: true });
    expect(r.ok).toBe(true);
  });

  it('step 52: create prunes unknown fields and applies the default, keys sorted', () => {
    const schema = compiled();
    const { obj, causes } = create(schema, body(52));
    expect(causes).toEqual([]);
    const expected = record(52).response.body as { spec: unknown };
    expect(obj['spec']).toEqual(expected.spec);
    // Status is dropped by the status-subresource strategy, not by pruning: the schema knows status.
    expect(obj['status']).toEqual({ assigned: 5 });
    expect(Object.keys(obj)).toEqual(['apiVersion', 'kind', 'metadata', 'spec', 'status']);
    expect(JSON.stringify(obj['spec'])).toBe('{"addresses":["192.0.2.0/28"],"autoAssign":true}');
  });

  it('step 53: type errors plus the CEL rule failing on wrong data', () => {
    const { causes } = create(compiled(), body(53));
    expect(causes).toEqual(expectedCauses(53));
    const status = record(53).response.body as { message: string };
    expect(`IPAddressPool.ironlb.io "bad-pool" is invalid: ${causesMessage(causes)}`).toBe(status.message);
  });

  it('step 54: missing required field plus CEL "no such key"', () => {
    const { causes } = create(compiled(), body(54));
    expect(causes).toEqual(expectedCauses(54));
    const status = record(54).response.body as { message: string };
    expect(`IPAddressPool.ironlb.io "bad-pool2" is invalid: ${causesMessage(causes)}`).toBe(status.message);
  });

  it('step 55: CEL rule fails with its message, value rendered with %#v after defaulting', () => {
    const { causes } = create(compiled(), body(55));
    expect(causes).toEqual(expectedCauses(55));
    const status = record(55).response.body as { message: string };
    expect(`IPAddressPool.ironlb.io "bad-pool3" is invalid: ${causesMessage(causes)}`).toBe(status.message);
  });

  it('step 56/57: valid updates pass', () => {
    const schema = compiled();
    const stored = create(schema, body(52)).obj;
    const { obj, causes } = { obj: pruneAndDefault(schema, body(56)), causes: [] as FieldCause[] };
    expect(validate(schema, obj, stored)).toEqual(causes);
    expect(obj['spec']).toEqual((record(56).response.body as { spec: unknown }).spec);
  });

  it('step 60: merge patch null on a defaulted field gets the default back', () => {
    const schema = compiled();
    // State after step 57 with the merge patch {"spec":{"autoAssign":null}} applied (key removed).
    const patched = {
      apiVersion: 'ironlb.io/v1',
      kind: 'IPAddressPool',
      metadata: { name: 'pool1' },
      spec: { addresses: ['192.0.2.0/28'] },
      status: { assigned: 3 },
    };
    const out = pruneAndDefault(schema, patched);
    expect(out['spec']).toEqual((record(60).response.body as { spec: unknown }).spec);
    expect(validate(schema, out)).toEqual([]);
    // A null left in place by a client is defaulted as well (non-nullable field with a default).
    const withNull = pruneAndDefault(schema, {
      ...patched,
      spec: { addresses: ['192.0.2.0/28'], autoAssign: null },
    });
    expect(withNull['spec']).toEqual({ addresses: ['192.0.2.0/28'], autoAssign: true });
  });
});
