/**
 * The index of the first item for which `before` is false, in items ordered so that `before`
 * holds for a prefix (a lower bound by binary search); `items.length` when it holds for all.
 */
export function lowerBound<T>(items: readonly T[], before: (item: T) => boolean): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (before(items[mid]!)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
