import { eachLimited, sleep } from '../src/poll';

describe('eachLimited', () => {
  it('runs every item, never more than the limit at once', async () => {
    let running = 0;
    let most = 0;
    const seen: number[] = [];
    await eachLimited([1, 2, 3, 4, 5, 6, 7], 3, async (item) => {
      running += 1;
      most = Math.max(most, running);
      await sleep(5 * (item % 3));
      seen.push(item);
      running -= 1;
    });
    expect([...seen].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(most).toBe(3);
  });

  it('starts no new item after a failure and fails once the running tasks settle', async () => {
    const finished: number[] = [];
    await expect(
      eachLimited([1, 2, 3, 4], 2, async (item) => {
        await sleep(item === 1 ? 1 : 10);
        if (item === 1) throw new Error('item 1 failed');
        finished.push(item);
      }),
    ).rejects.toThrow('item 1 failed');
    // Item 2 was already running when item 1 failed: it settles; items 3 and 4 never start.
    expect(finished).toEqual([2]);
  });

  it('does nothing for no items', async () => {
    const calls: number[] = [];
    await eachLimited([], 4, (item: number) => {
      calls.push(item);
      return Promise.resolve();
    });
    expect(calls).toHaveLength(0);
  });
});
