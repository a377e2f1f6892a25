import { EJSON, ObjectId } from 'bson';

const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;
const INT64_MIN = -(2 ** 63);
const INT64_MAX = 2 ** 63;

/**
 * Canonical Extended JSON, character for character what `EJSON.stringify(value, { relaxed: false })`
 * writes, but written directly for the value types documents usually hold (the bson
 * implementation builds a converted copy of the whole value first, which made it a large part of
 * every journaled write). Other BSON types are handed to EJSON one value at a time.
 */
export class ExtendedJsonWriter {
  static stringify(value: unknown): string {
    const out: string[] = [];
    ExtendedJsonWriter.write(value, out);
    return out.join('');
  }

  private static write(value: unknown, out: string[]): void {
    switch (typeof value) {
      case 'string':
        out.push(JSON.stringify(value));
        return;
      case 'number':
        out.push(ExtendedJsonWriter.number(value));
        return;
      case 'boolean':
        out.push(value ? 'true' : 'false');
        return;
      case 'undefined':
        out.push('null');
        return;
      case 'object':
        break;
      default:
        out.push(EJSON.stringify(value as never, { relaxed: false }));
        return;
    }
    if (value === null) {
      out.push('null');
      return;
    }
    if (Array.isArray(value)) {
      out.push('[');
      for (let i = 0; i < value.length; i++) {
        if (i > 0) out.push(',');
        ExtendedJsonWriter.write(value[i], out);
      }
      out.push(']');
      return;
    }
    if (value instanceof ObjectId) {
      out.push(`{"$oid":"${value.toHexString()}"}`);
      return;
    }
    if (value instanceof Date) {
      const ms = value.getTime();
      if (Number.isFinite(ms)) {
        out.push(`{"$date":{"$numberLong":"${ms}"}}`);
        return;
      }
    } else if (Object.getPrototypeOf(value) === Object.prototype && !Object.prototype.hasOwnProperty.call(value, '__proto__')) {
      const doc = value as Record<string, unknown>;
      out.push('{');
      let first = true;
      for (const key of Object.keys(doc)) {
        if (!first) out.push(',');
        first = false;
        out.push(JSON.stringify(key), ':');
        ExtendedJsonWriter.write(doc[key], out);
      }
      out.push('}');
      return;
    }
    out.push(EJSON.stringify(value as never, { relaxed: false }));
  }

  private static number(value: number): string {
    if (Number.isInteger(value) && !Object.is(value, -0)) {
      if (value >= INT32_MIN && value <= INT32_MAX) return `{"$numberInt":"${value}"}`;
      if (value >= INT64_MIN && value <= INT64_MAX) return `{"$numberLong":"${value}"}`;
    }
    return `{"$numberDouble":"${Object.is(value, -0) ? '-0.0' : String(value)}"}`;
  }
}
