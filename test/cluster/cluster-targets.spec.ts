import { describe, expect, it } from 'vitest';
import { isTargeted, normalizeTargets } from '../../lib/cluster/instance-targets.js';

/** What the old RegExp translation meant, for checking the matcher on small inputs. */
function reference(glob: string, id: string): boolean {
  return new RegExp(`^${glob.replace(/\*/g, '.*').replace(/\?/g, '.')}$`).test(id);
}

describe('H1 targets globs match in linear time', () => {
  it('H1 glob: a pathological pattern (many stars, no match) is answered at once', () => {
    // The RegExp translation took ~3 s for this (12 stars: 20 s; 16 stars: for good).
    const id = `api-${'a'.repeat(20)}`;
    const started = performance.now();
    expect(isTargeted(id, normalizeTargets('db', `${'*'.repeat(11)}Z`))).toBe(false);
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('H1 glob: the longest accepted pattern against a long id stays well within budget', () => {
    const started = performance.now();
    const id = 'a'.repeat(128);
    expect(isTargeted(id, normalizeTargets('db', `${'*a'.repeat(63)}Z`))).toBe(false);
    expect(isTargeted(id, normalizeTargets('db', `${'*'.repeat(127)}Z`))).toBe(false);
    expect(isTargeted(id, normalizeTargets('db', `${'*'.repeat(127)}a`))).toBe(true);
    expect(performance.now() - started).toBeLessThan(200);
  });

  it('H1 glob: matches what the glob means (exhaustive over a small alphabet)', () => {
    const alphabet = ['a', 'b', '*', '?'];
    const patterns: string[] = [''];
    for (let length = 0; length < 4; length++) {
      for (const p of patterns.filter((x) => x.length === length)) for (const c of alphabet) patterns.push(p + c);
    }
    const ids: string[] = [''];
    for (let length = 0; length < 4; length++) {
      for (const p of ids.filter((x) => x.length === length)) for (const c of ['a', 'b']) ids.push(p + c);
    }
    for (const pattern of patterns.filter((p) => p.length > 0)) {
      for (const id of ids.filter((i) => i.length > 0)) {
        expect(isTargeted(id, [pattern]), `${pattern} vs ${id}`).toBe(reference(pattern, id));
      }
    }
  });
});
