/**
 * The parts of a withdrawal's Fabric work that `meta:Shape` can do, in the order it does them (a
 * module of its own, so that the benchmarks can name them without loading the contracts).
 */
export const SHAPE_PARTS = ['reads', 'ranges', 'writes', 'policies', 'seal'] as const;
export type ShapePart = (typeof SHAPE_PARTS)[number];
