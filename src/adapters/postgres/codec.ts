// Row -> value helpers for the PostgreSQL adapter: typed column readers (postgres.js hands back
// loosely typed rows) and JSON columns. Cursors, page sizes, the NUL refusal and combineSales
// are the embedded adapter's pure helpers, reused so both adapters answer alike.

export { cursorInt, cursorText, encodeCursor, pageSize, refuseNul } from '../sqlite/codec.ts';

export type Row = Record<string, unknown>;

export function text(row: Row, column: string): string {
  const value = row[column];
  if (typeof value !== 'string') throw new Error(`column ${column} is not text`);
  return value;
}

export function textOrNull(row: Row, column: string): string | null {
  return row[column] === null ? null : text(row, column);
}

export function int(row: Row, column: string): number {
  const raw = row[column];
  // int8 is parsed to a number by the pool's type config; numeric (SUM) arrives as text.
  const value = typeof raw === 'string' ? Number(raw) : typeof raw === 'bigint' ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new Error(`column ${column} is not an integer`);
  return value;
}

export function intOrNull(row: Row, column: string): number | null {
  return row[column] === null ? null : int(row, column);
}

export function bool(row: Row, column: string): boolean {
  const value = row[column];
  if (typeof value !== 'boolean') throw new Error(`column ${column} is not a boolean`);
  return value;
}

/** Parses a JSON column this adapter wrote itself; the type is the one it was written with. */
export function json<T>(row: Row, column: string): T {
  return JSON.parse(text(row, column)) as T;
}
