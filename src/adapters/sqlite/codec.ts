// Row <-> value helpers shared by the adapter's files: typed column readers (node:sqlite hands
// back loosely typed values), booleans as 0/1, JSON columns, and opaque page cursors.

import type { SQLOutputValue } from 'node:sqlite';
import { DomainError } from '../../core/errors.ts';

export type Row = Record<string, SQLOutputValue>;

export function asRow(value: unknown): Row {
  if (typeof value !== 'object' || value === null) throw new Error('expected a row');
  return value as Row;
}

export function text(row: Row, column: string): string {
  const value = row[column];
  if (typeof value !== 'string') throw new Error(`column ${column} is not text`);
  return value;
}

export function textOrNull(row: Row, column: string): string | null {
  const value = row[column];
  if (value === null) return null;
  return text(row, column);
}

export function int(row: Row, column: string): number {
  const value = row[column];
  if (typeof value === 'bigint') return Number(value);
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new Error(`column ${column} is not an integer`);
  return value;
}

export function intOrNull(row: Row, column: string): number | null {
  return row[column] === null ? null : int(row, column);
}

export function bool(row: Row, column: string): boolean {
  return int(row, column) !== 0;
}

export function flag(value: boolean): number {
  return value ? 1 : 0;
}

/** Parses a JSON column this adapter wrote itself; the type is the one it was written with. */
export function json<T>(row: Row, column: string): T {
  return JSON.parse(text(row, column)) as T;
}

/** A JSON array parameter, for `IN (SELECT value FROM json_each(?))` with one cached statement. */
export function jsonList(values: readonly (string | number)[]): string {
  return JSON.stringify(values);
}

/** An opaque cursor: base64url of JSON. Clients must not build or read it. */
export function encodeCursor(position: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

function invalidCursor(): DomainError {
  return new DomainError('validation', 'The cursor is not valid; start again from the first page.', { field: 'cursor' });
}

function decodeCursor(cursor: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (typeof parsed !== 'object' || parsed === null) throw invalidCursor();
  return parsed as Record<string, unknown>;
}

/** Reads one text field back from a cursor; anything else is a 'validation' error. */
export function cursorText(cursor: string, field: string): string {
  const value = decodeCursor(cursor)[field];
  if (typeof value !== 'string') throw invalidCursor();
  return value;
}

/** Reads one integer field back from a cursor; anything else is a 'validation' error. */
export function cursorInt(cursor: string, field: string): number {
  const value = decodeCursor(cursor)[field];
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw invalidCursor();
  return value;
}

/** Clamps a requested page size into 1..max (non-integers fall back to max). */
export function pageSize(limit: number, max: number): number {
  if (!Number.isSafeInteger(limit)) return max;
  return Math.min(Math.max(limit, 1), max);
}

/**
 * SQLite keeps a NUL inside text, but node:sqlite reads text back cut at the first NUL, so a
 * plain-text column would silently lose the rest. Such input is refused instead. (JSON columns
 * are safe: JSON.stringify writes NUL as \u0000.)
 */
export function refuseNul(fields: Record<string, string | null>): void {
  for (const [field, value] of Object.entries(fields)) {
    if (value !== null && value.includes('\u0000')) {
      throw new DomainError('validation', `${field} must not contain a NUL character.`, { field });
    }
  }
}
