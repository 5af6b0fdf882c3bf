import { readdirSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

/** Rotated files Hotend made itself: `hotend.log.2026-11-20`, `serial.log.2026-11-20.3`. Nothing else is pruned. */
export const ROTATED_LOG_PATTERN = /^(?:hotend|serial)\.log\.\d{4}-\d{2}-\d{2}(?:\.\d+)?$/;

export interface RetentionPolicy {
  /** Rotated files older than this many days go; 0 keeps them. */
  readonly retentionDays: number;
  /** Rotated files go, oldest first, while all log files together exceed this; 0 means no cap. */
  readonly maxTotalBytes: number;
}

interface LogEntry {
  readonly name: string;
  readonly size: number;
  readonly modifiedMs: number;
  readonly rotated: boolean;
}

function listLogFolder(folder: string): LogEntry[] {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return [];
  }
  const entries: LogEntry[] = [];
  for (const name of names) {
    try {
      const info = statSync(join(folder, name), { throwIfNoEntry: false });
      if (info === undefined || !info.isFile()) continue;
      entries.push({ name, size: info.size, modifiedMs: info.mtimeMs, rotated: ROTATED_LOG_PATTERN.test(name) });
    } catch {
      // Vanished between listing and stat: nothing to prune.
    }
  }
  return entries;
}

/**
 * Deletes rotated log files past the age limit, then the oldest ones while the folder is over the size cap.
 * Active files are never deleted (they only count towards the total). Returns the deleted names.
 */
export function pruneRotatedLogs(folder: string, policy: RetentionPolicy, nowMs: number = Date.now()): string[] {
  const entries = listLogFolder(folder);
  const deleted: string[] = [];
  const remove = (entry: LogEntry): boolean => {
    try {
      unlinkSync(join(folder, entry.name));
      deleted.push(entry.name);
      return true;
    } catch {
      return false;
    }
  };

  let kept = entries;
  if (policy.retentionDays > 0) {
    const cutoff = nowMs - policy.retentionDays * 24 * 60 * 60 * 1000;
    kept = entries.filter((entry) => !(entry.rotated && entry.modifiedMs < cutoff && remove(entry)));
  }
  if (policy.maxTotalBytes > 0) {
    let total = kept.reduce((sum, entry) => sum + entry.size, 0);
    const oldestFirst = kept.filter((entry) => entry.rotated).sort((a, b) => a.modifiedMs - b.modifiedMs);
    for (const entry of oldestFirst) {
      if (total <= policy.maxTotalBytes) break;
      if (remove(entry)) total -= entry.size;
    }
  }
  return deleted;
}
