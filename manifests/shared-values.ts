/**
 * One copy of what many hosts' desired states hold alike. Hosts that share roles get equal ids, specs,
 * origins and often file contents; a load of 1,000 hosts x 50 resources kept 50,000 of each, and the
 * controller holds the accepted revision's desired states for as long as it runs. Values shared between
 * hosts are frozen: a desired state is read-only once built, and a change made through one host would
 * reach every host sharing the value (strict mode code throws instead).
 */
import { locate, type PathSegment, type SourceFile } from './read.js';
import type { FileContent, Origin } from './types.js';

/** The values of one load, each kept once; lookups are by value (by place for origins). */
export interface SharedValues {
  /** The string equal to `value` seen first in this load. */
  text(value: string): string;
  /** The origin (file, line, col) of the node at `path` of `source`, located once per place. */
  origin(source: SourceFile, path: readonly PathSegment[]): Origin;
  /** `ids` itself, or one frozen empty list for every empty one. */
  ids(ids: string[]): string[];
  /** A frozen spec equal to `spec` (the same JSON), the first one seen. */
  spec<T extends object>(spec: T): T;
  /** A frozen file content equal to `content` (same bytes, no secrets), the first one seen. */
  content(content: FileContent): FileContent;
}

const NO_IDS: string[] = Object.freeze([]) as unknown as string[];

/** New shared values for one load; they are dropped with the load's other bookkeeping. */
export function createSharedValues(): SharedValues {
  const texts = new Map<string, string>();
  const origins = new Map<SourceFile, Map<string, Origin>>();
  const specs = new Map<string, object>();
  const contents = new Map<string, FileContent>();
  const once = <T>(map: Map<string, T>, key: string, make: () => T): T => {
    const seen = map.get(key);
    if (seen !== undefined) return seen;
    const value = make();
    map.set(key, value);
    return value;
  };
  return {
    text: (value) => once(texts, value, () => value),
    origin(source, path) {
      let places = origins.get(source);
      if (!places) origins.set(source, (places = new Map()));
      return once(places, JSON.stringify(path), () => {
        const { line, col } = locate(source, path);
        return Object.freeze({ file: source.file, line, col });
      });
    },
    ids: (ids) => (ids.length === 0 ? NO_IDS : ids),
    spec: (spec) => once(specs, JSON.stringify(spec), () => Object.freeze(spec)) as typeof spec,
    content(content) {
      if (content.secrets.length > 0) return content;
      const key = `${content.sha256}\0${content.text === undefined ? 'base64' : 'text'}`;
      return once(contents, key, () => Object.freeze({ ...content, secrets: NO_IDS }));
    },
  };
}
