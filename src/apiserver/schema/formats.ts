// String formats Kubernetes enforces in CRD schemas. The API server strips every other format before
// validating (apiextensions' StripUnsupportedFormatsPostProcess), so e.g. int32, int64, float and
// double are accepted but never checked. Checks follow go-openapi/strfmt as vendored in kube-openapi.
import { goParseCIDR, goParseIP, goParseMAC } from './cel/ip.js';
import { decodeBase64Std, parseDateTimeLoose, parseGoDuration } from './cel/values.js';

const SUPPORTED = new Set([
  'bsonobjectid',
  'uri',
  'email',
  'hostname',
  'ipv4',
  'ipv6',
  'cidr',
  'mac',
  'uuid',
  'uuid3',
  'uuid4',
  'uuid5',
  'isbn',
  'isbn10',
  'isbn13',
  'creditcard',
  'ssn',
  'hexcolor',
  'rgbcolor',
  'byte',
  'password',
  'date',
  'duration',
  'datetime',
]);

export function normalizeFormat(format: string): string {
  return format.replace(/-/g, '').toLowerCase();
}

/** The format as the validator sees it: unsupported formats are dropped (""). */
export function effectiveFormat(format: string): string {
  return format !== '' && SUPPORTED.has(normalizeFormat(format)) ? format : '';
}

const HOSTNAME =
  /^([a-zA-Z0-9\p{S}\p{L}]((-?[a-zA-Z0-9\p{S}\p{L}]{0,62})?)|([a-zA-Z0-9\p{S}\p{L}](([a-zA-Z0-9-\p{S}\p{L}]{0,61}[a-zA-Z0-9\p{S}\p{L}])?)(\.)){1,}([a-zA-Z\p{L}]){2,63})$/u;
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const UUID3 = /^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const UUID4 = /^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i;
const UUID5 = /^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i;
const SSN = /^\d{3}[- ]?\d{2}[- ]?\d{4}$/;
const HEXCOLOR = /^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;
const RGB_PART = '\\s*(0|[1-9]\\d?|1\\d\\d?|2[0-4]\\d|25[0-5])\\s*';
const RGBCOLOR = new RegExp(`^rgb\\(${RGB_PART},${RGB_PART},${RGB_PART}\\)$`);
const CREDITCARD =
  /^(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14}|(222[1-9]|22[3-9][0-9]|2[3-6][0-9]{2}|27[01][0-9]|2720)[0-9]{12}|6(?:011|5[0-9][0-9])[0-9]{12}|3[47][0-9]{13}|3(?:0[0-5]|[68][0-9])[0-9]{11}|(?:2131|1800|35\d{3})\d{11}|6[27][0-9]{14})$/;
const EMAIL =
  /^(?:[^\s@<>()[\]\\,;:"]+|"[^"\\]*")@(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[^\]]+\])$/;
const DURATION_SCALA =
  /^(\d+)\s*(ns|nanos?|nanoseconds?|us|micros?|microseconds?|ms|millis?|milliseconds?|s|secs?|seconds?|m|mins?|minutes?|h|hours?|d|days?|w|wk|weeks?)$/i;

function luhn(digits: string): boolean {
  let sum = 0;
  let alt = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let n = digits.charCodeAt(i) - 48;
    if (alt) {
      n *= 2;
      if (n > 9) n -= 9;
    }
    sum += n;
    alt = !alt;
  }
  return sum % 10 === 0;
}

function isbn10(s: string): boolean {
  const d = s.replace(/[\s-]/g, '');
  if (!/^\d{9}[\dX]$/.test(d)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (i + 1) * (d.charCodeAt(i) - 48);
  sum += d[9] === 'X' ? 100 : 10 * (d.charCodeAt(9) - 48);
  return sum % 11 === 0;
}

function isbn13(s: string): boolean {
  const d = s.replace(/[\s-]/g, '');
  if (!/^\d{13}$/.test(d)) return false;
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += (d.charCodeAt(i) - 48) * (i % 2 === 0 ? 1 : 3);
  return (10 - (sum % 10)) % 10 === d.charCodeAt(12) - 48;
}

function isDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1) return false;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  const dim = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1] ?? 0;
  return d <= dim;
}

function isURI(s: string): boolean {
  // net/url.ParseRequestURI: an absolute URI or an absolute path, no control characters or bad escapes.
  // eslint-disable-next-line no-control-regex -- Go's URL parser rejects ASCII control characters.
  if (s === '' || /[\x00-\x1f\x7f]/.test(s) || /%(?![0-9a-fA-F]{2})/.test(s)) return false;
  if (s.startsWith('/')) return !s.includes(' ');
  const m = /^[a-zA-Z][a-zA-Z0-9+.-]*:(.*)$/s.exec(s);
  if (!m) return false;
  const rest = m[1] ?? '';
  if (rest.startsWith('//')) {
    const authority = rest.slice(2).split(/[/?]/)[0] ?? '';
    const host = authority.slice(authority.lastIndexOf('@') + 1);
    if (host.includes(' ')) return false;
  }
  return true;
}

/** Whether `value` satisfies the (supported) format; unsupported formats always pass. */
export function checkFormat(format: string, value: string): boolean {
  switch (normalizeFormat(format)) {
    case 'bsonobjectid':
      return /^[0-9a-fA-F]{24}$/.test(value);
    case 'uri':
      return isURI(value);
    case 'email':
      return (
        EMAIL.test(value) ||
        (/^[^<>]*<[^<>]+>$/.test(value) && EMAIL.test(value.slice(value.indexOf('<') + 1, -1)))
      );
    case 'hostname':
      return value.length <= 255 && HOSTNAME.test(value);
    case 'ipv4':
      return goParseIP(value) !== undefined && value.includes('.');
    case 'ipv6':
      return goParseIP(value) !== undefined && value.includes(':');
    case 'cidr':
      return goParseCIDR(value) !== undefined;
    case 'mac':
      return goParseMAC(value);
    case 'uuid':
      return UUID.test(value);
    case 'uuid3':
      return UUID3.test(value);
    case 'uuid4':
      return UUID4.test(value);
    case 'uuid5':
      return UUID5.test(value);
    case 'isbn':
      return isbn10(value) || isbn13(value);
    case 'isbn10':
      return isbn10(value);
    case 'isbn13':
      return isbn13(value);
    case 'creditcard': {
      const digits = value.replace(/[^0-9]/g, '');
      return CREDITCARD.test(digits) && luhn(digits);
    }
    case 'ssn':
      return SSN.test(value);
    case 'hexcolor':
      return HEXCOLOR.test(value);
    case 'rgbcolor':
      return RGBCOLOR.test(value);
    case 'byte':
      return decodeBase64Std(value) !== undefined;
    case 'password':
      return true;
    case 'date':
      return isDate(value);
    case 'duration':
      return parseGoDuration(value) !== undefined || DURATION_SCALA.test(value);
    case 'datetime':
      return parseDateTimeLoose(value) !== undefined;
    default:
      return true;
  }
}
