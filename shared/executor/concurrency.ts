/**
 * Runs `work` for each item, at most `limit` at a time, in list order: an item starts only
 * once every earlier item it `waitsFor` has finished (a dependency's step before its
 * dependent's). With a limit of 1 this is a plain sequential loop. Results in list order.
 */
export async function runOrdered<T, R>(
  items: T[],
  limit: number,
  waitsFor: (item: T, earlier: T) => boolean,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  if (limit <= 1) {
    for (let i = 0; i < items.length; i++) results[i] = await work(items[i]!);
    return results;
  }
  const done: Promise<void>[] = new Array(items.length);
  const slots: Promise<void>[] = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    const before = done.slice(0, i).filter((_, k) => waitsFor(item, items[k]!));
    while (slots.length >= limit) await Promise.race(slots);
    const p = (async () => {
      await Promise.all(before);
      results[i] = await work(item);
    })();
    done[i] = p;
    const slot = p.finally(() => {
      slots.splice(slots.indexOf(slot), 1);
    });
    slots.push(slot);
  }
  await Promise.all(done);
  return results;
}
