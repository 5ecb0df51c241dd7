// Finds the module-level Map that ink/build/measure-text.js fills (text -> {width, height}) and
// never evicts, so the bench can report how many entries and how many characters of keys it holds.
// The Map is not exported: Map.prototype.set is wrapped until the first set() whose caller is
// measure-text.js, then restored. Install only around a phase whose CPU figures do not matter.

export interface MeasureTextCacheProbe {
  /** The cache, once a set() from measure-text.js has been seen. */
  readonly map: Map<string, unknown> | null;
  stats(): { entries: number; keyChars: number } | null;
  dispose(): void;
}

export function probeMeasureTextCache(): MeasureTextCacheProbe {
  const original = Map.prototype.set;
  const classified = new WeakSet<object>();
  let found: Map<string, unknown> | null = null;
  let active = true;
  const restore = () => {
    if (!active) return;
    active = false;
    Map.prototype.set = original;
  };
  Map.prototype.set = function set<K, V>(this: Map<K, V>, key: K, value: V) {
    if (found === null && !classified.has(this)) {
      classified.add(this);
      // Line 0 is "Error", 1 is this wrapper, 2 the caller of set().
      const caller = new Error().stack?.split('\n')[2] ?? '';
      // build/measure-text.js, or src/measure-text.ts when source maps are on (tsx enables them).
      if (/ink\/(build|src)\/measure-text\.(js|ts)/.test(caller)) {
        found = this as unknown as Map<string, unknown>;
        restore();
      }
    }
    return original.call(this, key, value) as Map<K, V>;
  };
  return {
    get map() {
      return found;
    },
    stats() {
      if (!found) return null;
      let keyChars = 0;
      for (const k of found.keys()) keyChars += k.length;
      return { entries: found.size, keyChars };
    },
    dispose: restore,
  };
}
