/** What kind of value was given, without the value. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date) return 'a date';
  if (typeof value === 'string') return value.length === 0 ? 'an empty string' : 'a string that is not one';
  if (typeof value === 'number') return Number.isFinite(value) ? 'a number out of range' : 'a non-finite number';
  return `a ${typeof value}`;
}
