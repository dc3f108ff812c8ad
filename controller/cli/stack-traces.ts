/**
 * Readable stack traces from the bundled CLI (dist/cli/, see deploy/npm/bundle.ts) without paying for them at
 * start-up: `--enable-source-maps` reads and parses the source map of every chunk as it loads (~40 ms for
 * `drover validate`); this reads a chunk's map only when a stack trace passes through that chunk.
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { dirname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * From now on, stack traces of this process show the TypeScript source (`/…/controller/cli/io.ts:27:13`)
 * for frames in the JavaScript files under `bundleDir` (default: this module's directory, i.e. dist/cli/ in the
 * bundle) that have a source map (`<file>.map`), as `--enable-source-maps` would; other frames are as V8
 * writes them. Does nothing when Node already maps stack traces (`--enable-source-maps`). Replaces
 * Error.prepareStackTrace.
 */
export function mapStackTraces(bundleDir: string = import.meta.dirname): void {
  if (process.sourceMapsEnabled) return;
  const inBundle = resolve(bundleDir) + sep;
  const maps = new Map<string, SourceMap | undefined>();
  const mapOf = (file: string): SourceMap | undefined => {
    if (!maps.has(file)) maps.set(file, readSourceMap(file));
    return maps.get(file);
  };
  Error.prepareStackTrace = (error: Error, frames: NodeJS.CallSite[]): string => {
    const lines = frames.map((frame) => `\n    at ${mapFrame(frame, (file) => (file.startsWith(inBundle) ? mapOf(file) : undefined))}`);
    return `${header(error)}${lines.join('')}`;
  };
}

/** The first line of a stack trace, as V8 writes it (`Name: message`). */
function header(error: Error): string {
  try {
    return Error.prototype.toString.call(error);
  } catch {
    return '<error>';
  }
}

/** One frame as V8 writes it, with its position replaced by the original one when the map knows it. */
function mapFrame(frame: NodeJS.CallSite, mapOf: (file: string) => SourceMap | undefined): string {
  const text = String(frame);
  const url = frame.getFileName();
  const line = frame.getLineNumber();
  const column = frame.getColumnNumber();
  if (!url || line === null || column === null) return text;
  const file = url.startsWith('file:') ? fileURLToPath(url) : url;
  const entry = mapOf(file)?.findEntry(line - 1, column - 1);
  if (!entry || !('originalSource' in entry)) return text;
  const source = resolve(dirname(file), entry.originalSource);
  return text.replace(`${url}:${line}:${column}`, `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`);
}

function readSourceMap(file: string): SourceMap | undefined {
  try {
    return existsSync(`${file}.map`) ? new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')) as SourceMapPayload) : undefined;
  } catch {
    return undefined;
  }
}
