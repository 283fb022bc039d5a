// metav1.Condition lists (ValidateConditions in apimachinery's meta/v1 validation).
import { duplicate, invalid, notSupported, required, tooLong } from '../fielderrors.js';
import type { FieldError } from '../fielderrors.js';
import type { JsonObject, JsonValue } from '../types/model.js';
import { isQualifiedName } from './names.js';

const REASON_RE = /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/;
const REASON_FMT = '[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?';

export function validateConditions(conds: JsonValue[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  const types = new Set<string>();
  conds.forEach((raw, i) => {
    const c = (raw ?? {}) as JsonObject;
    const p = `${path}[${i}]`;
    const type = typeof c.type === 'string' ? c.type : '';
    for (const m of isQualifiedName(type)) errs.push(invalid(`${p}.type`, type, m));
    if (types.has(type)) errs.push(duplicate(`${p}.type`, type));
    types.add(type);
    const status = typeof c.status === 'string' ? c.status : '';
    if (!['True', 'False', 'Unknown'].includes(status))
      errs.push(notSupported(`${p}.status`, status, ['False', 'True', 'Unknown']));
    if (typeof c.observedGeneration === 'number' && c.observedGeneration < 0)
      errs.push(
        invalid(`${p}.observedGeneration`, c.observedGeneration, 'must be greater than or equal to zero'),
      );
    if (c.lastTransitionTime === null || c.lastTransitionTime === undefined)
      errs.push(required(`${p}.lastTransitionTime`, 'must be set'));
    const reason = typeof c.reason === 'string' ? c.reason : '';
    if (!reason) errs.push(required(`${p}.reason`, 'must be set'));
    else {
      if (!REASON_RE.test(reason))
        errs.push(
          invalid(
            `${p}.reason`,
            reason,
            `a condition reason must start with alphabetic character, optionally followed by a string of alphanumeric characters or '_,:', and must end with an alphanumeric character or '_' (e.g. 'my_name',  or 'MY_NAME',  or 'MyName',  or 'ReasonA,ReasonB',  or 'ReasonA:ReasonB', regex used for validation is '${REASON_FMT}')`,
          ),
        );
      if (reason.length > 1024) errs.push(tooLong(`${p}.reason`, 1024));
    }
    const message = typeof c.message === 'string' ? c.message : '';
    if (message.length > 32768) errs.push(tooLong(`${p}.message`, 32768));
  });
  return errs;
}
