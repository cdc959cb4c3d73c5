/**
 * The fill of each cell of a cache map, 0 (nothing stored) to 1 (all stored). One cell per segment
 * up to `maxCells`; a longer file groups consecutive segments into a cell, so the map stays one row
 * of legible cells whatever the file's size.
 */
export function cacheMapCells(storedSegments: readonly number[], segmentCount: number, maxCells: number): number[] {
  if (segmentCount <= 0) return [];
  const cellCount = Math.min(segmentCount, maxCells);
  const stored = new Array<number>(cellCount).fill(0);
  const total = new Array<number>(cellCount).fill(0);
  const cellOf = (segment: number): number => Math.floor((segment * cellCount) / segmentCount);
  for (let segment = 0; segment < segmentCount; segment++) total[cellOf(segment)]!++;
  for (const segment of storedSegments) if (segment >= 0 && segment < segmentCount) stored[cellOf(segment)]!++;
  return stored.map((count, cell) => count / total[cell]!);
}
