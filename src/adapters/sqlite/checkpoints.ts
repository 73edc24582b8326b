// Checkpoints beside the writer. A checkpoint copies the pages the WAL holds into the database
// file and fsyncs that file; run by the writer connection itself (SQLite's autocheckpoint, every
// 1,000 pages) it stopped every write for as long as that took, and in a flash sale that was
// about a tenth of the orders (docs/benchmarks.md). A second connection on a thread of its own
// copies the same pages while the writer goes on committing: WAL mode lets one checkpointer run
// beside one writer. Durability is unchanged: the checkpointer's connection syncs as the writer's
// does (synchronous = FULL), and SQLite itself decides which frames are safe to copy.

import type { DatabaseSync } from 'node:sqlite';

/**
 * The writer's own autocheckpoint while a checkpointer runs beside it: far above what the
 * checkpointer lets the WAL reach, so it only acts if the checkpointer stopped (its thread
 * died). The WAL then stays bounded, as it was before there was a checkpointer.
 */
export const writerCheckpointBackstopPages = 100_000;

/**
 * How often the checkpointer copies what the writer committed meanwhile. Each pass ends with an
 * fsync of the database file, on the disk where the writer fsyncs the WAL at every commit. Every
 * 100 ms, at 1,700 orders a second, the disk's write requests spent 580-794 ms a second queued
 * and served, and twice in four flash sales a commit took 121 and 213 ms beside a pass of 83 and
 * 201 ms: each time, a second whose requests had a p99 of 154 and 214 ms. Every 300 ms: 192-260
 * ms a second, for as many bytes written (docs/benchmarks.md). restartAbovePages bounds the WAL
 * either way.
 */
export const checkpointIntervalMs = 300;

/**
 * Past this many frames the WAL is started over. A passive checkpoint copies frames while the
 * writer appends more, so under steady writes the writer seldom finds every frame copied, which
 * is when SQLite reuses the WAL from its start; the file would grow for as long as the peak
 * lasts. A RESTART checkpoint waits for the writer lock, copies what is left (little, right after
 * a passive one) and so lets the writer's next transaction start the WAL over.
 */
export const restartAbovePages = 16_384;

export interface CheckpointPass {
  /** Frames in the WAL when the pass began its last checkpoint. */
  walPages: number;
  /** Frames copied into the database file by now (all of walPages when the pass caught up). */
  copied: number;
  /** Whether the pass took the writer lock to start the WAL over. */
  restarted: boolean;
}

function checkpoint(db: DatabaseSync, mode: 'PASSIVE' | 'RESTART'): { busy: boolean; walPages: number; copied: number } {
  const row = db.prepare(`PRAGMA wal_checkpoint(${mode})`).get();
  // SQLite answers one row of three integers: busy (0 or 1), log (frames) and checkpointed.
  const busy = Number(row?.['busy'] ?? 0);
  return { busy: busy !== 0, walPages: Number(row?.['log'] ?? 0), copied: Number(row?.['checkpointed'] ?? 0) };
}

/** One pass: copy what can be copied without waiting; start the WAL over when it grew too long. */
export function checkpointPass(db: DatabaseSync, restartAbove: number = restartAbovePages): CheckpointPass {
  const passive = checkpoint(db, 'PASSIVE');
  if (passive.walPages < restartAbove) return { walPages: passive.walPages, copied: passive.copied, restarted: false };
  // Busy here means the writer lock was not had within the connection's busy timeout; the next
  // pass tries again.
  const restart = checkpoint(db, 'RESTART');
  return { walPages: restart.walPages, copied: restart.copied, restarted: !restart.busy };
}
