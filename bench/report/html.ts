import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
export function writeReport(outDir: string): string {
  const path = join(outDir, 'report.html');
  writeFileSync(path, '<!doctype html><title>x</title>');
  return path;
}
