/**
 * Filter trees for the search sections: comparisons whose matches a section knows from its own
 * fixture, trees built from them (random, deep, wide), and the two-valued meaning of a tree
 * (core/query/ast.ts) worked out here as the oracle.
 */
import type { Comparison, Filter } from '../../src/core/query/ast';
import { and, not, or } from '../../src/core/query/filter';

/** A comparison and the fixture entities (by name) it holds for. */
export type Leaf = [Comparison, string[]];

/** What `f` matches among `names`, each comparison holding exactly where its leaf says. */
export function expectedMatches(f: Filter, leaves: readonly Leaf[], names: readonly string[]): string[] {
  const holds = new Map(leaves.map(([c, matches]) => [c, new Set(matches)]));
  const test = (node: Filter, name: string): boolean => {
    switch (node.kind) {
      case 'compare': {
        const set = holds.get(node);
        if (!set) throw new Error(`not a leaf of this fixture: ${JSON.stringify(node)}`);
        return set.has(name);
      }
      case 'and': return node.terms.every((t) => test(t, name));
      case 'or': return node.terms.some((t) => test(t, name));
      case 'not': return !test(node.term, name);
    }
  };
  return names.filter((name) => test(f, name)).sort();
}

/** A small seeded generator (mulberry32), so a failing tree is the same on every run. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` trees up to `depth` levels deep, with empty, one-term and wider Ands and Ors among them. */
export function randomTrees(leaves: readonly Leaf[], count: number, depth = 5, seed = 20261201): Filter[] {
  const next = random(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)];
  const grow = (level: number): Filter => {
    if (level === 0 || next() < 0.25) return pick(leaves)[0];
    const kind = pick(['and', 'or', 'not'] as const);
    if (kind === 'not') return not(grow(level - 1));
    const terms = Array.from({ length: Math.floor(next() * 5) }, () => grow(level - 1));
    return kind === 'and' ? and(...terms) : or(...terms);
  };
  return Array.from({ length: count }, () => grow(depth));
}

/** A chain `levels` And/Or/Not nodes deep, each And or Or adding one more comparison beside the chain. */
export function deepTree(leaves: readonly Leaf[], levels: number): Filter {
  let f: Filter = leaves[0][0];
  for (let i = 0; i < levels; i++) {
    const beside = leaves[(i + 1) % leaves.length][0];
    f = i % 3 === 0 ? not(f) : i % 3 === 1 ? or(beside, f) : and(f, beside);
  }
  return f;
}

/** An And over a wide Or and the Not of another, `terms` nodes in all. */
export function wideTree(leaves: readonly Leaf[], terms: number): Filter {
  const comparisons = terms - 4;
  const first = Math.ceil(comparisons / 2);
  const at = (i: number) => leaves[i % leaves.length][0];
  return and(
    or(...Array.from({ length: first }, (_, i) => at(i))),
    not(or(...Array.from({ length: comparisons - first }, (_, i) => at(first + 3 * i + 1)))),
  );
}

/** Counts a tree's nodes, so a test can show it sits exactly at a bound. */
export function size(f: Filter): number {
  if (f.kind === 'compare') return 1;
  if (f.kind === 'not') return 1 + size(f.term);
  return 1 + f.terms.reduce((n, t) => n + size(t), 0);
}

/** The depth checkFilterTree measures: And/Or/Not nodes on the longest path. */
export function depth(f: Filter): number {
  if (f.kind === 'compare') return 0;
  if (f.kind === 'not') return 1 + depth(f.term);
  return 1 + Math.max(0, ...f.terms.map(depth));
}
