import { strictFake } from '@omni/testing';
import { APPLICATION_CHANGED_CHANNEL, ApplicationRecord, ApplicationsStore } from '../applications/applications.store';
import { PgListener } from '../database/pg-listener';
import { ApplicationCache } from './application-cache';

const KEY = 'a'.repeat(40);
const OTHER_KEY = 'b'.repeat(40);

const recordOf = (version: number, applicationKey = KEY) => ({ applicationKey, version }) as ApplicationRecord;

/** A store whose reads answer only when the test says so, in any order; it counts reads per key. */
function controllableStore() {
  const pending: { key: string; resolve: (record: ApplicationRecord | undefined) => void }[] = [];
  const reads: string[] = [];
  const store = strictFake<ApplicationsStore>('ApplicationsStore', {
    find: (key: string) =>
      new Promise<ApplicationRecord | undefined>((resolve) => {
        reads.push(key);
        pending.push({ key, resolve });
      }),
  });
  /** Answer the oldest (or newest) read of `key` in flight with `record`. */
  const answer = (record: ApplicationRecord | undefined, key = KEY, which: 'oldest' | 'newest' = 'oldest') => {
    const indexes = pending.flatMap((read, index) => (read.key === key ? [index] : []));
    const index = which === 'oldest' ? (indexes[0] ?? -1) : (indexes[indexes.length - 1] ?? -1);
    if (index < 0) throw new Error(`no read of ${key} in flight`);
    pending.splice(index, 1)[0].resolve(record);
  };
  return { store, reads, answer, inFlight: () => pending.length };
}

/** A listener whose notifications and reconnects the test triggers. */
function controllableListener() {
  const channels = new Map<string, (payload: string) => void>();
  const reconnectHooks: (() => void)[] = [];
  const listener = strictFake<PgListener>('PgListener', {
    subscribe: (channel: string, handler: (payload: string) => void) => channels.set(channel, handler),
    onReconnect: (hook: () => void) => reconnectHooks.push(hook),
  });
  return {
    listener,
    notify: (key: string) => channels.get(APPLICATION_CHANGED_CHANNEL)?.(key),
    reconnect: () => reconnectHooks.forEach((hook) => hook()),
  };
}

function setup() {
  const db = controllableStore();
  const pg = controllableListener();
  return { ...db, ...pg, cache: new ApplicationCache(db.store, pg.listener) };
}

describe('ApplicationCache', () => {
  it('reads a key once and then answers from memory, misses included', async () => {
    const { cache, reads, answer } = setup();
    const first = cache.get(KEY);
    answer(recordOf(1));
    expect(await first).toEqual(recordOf(1));
    expect(await cache.get(KEY)).toEqual(recordOf(1));

    const miss = cache.get(OTHER_KEY);
    answer(undefined, OTHER_KEY);
    expect(await miss).toBeUndefined();
    expect(await cache.get(OTHER_KEY)).toBeUndefined();
    expect(reads).toEqual([KEY, OTHER_KEY]);
  });

  it('a notification for a key drops it: the next request reads the database again', async () => {
    const { cache, reads, answer, notify } = setup();
    const first = cache.get(KEY);
    answer(recordOf(1));
    await first;

    notify(KEY);
    const second = cache.get(KEY);
    answer(recordOf(2));
    expect(await second).toEqual(recordOf(2));
    expect(reads).toEqual([KEY, KEY]);
  });

  it('a read in flight when its key is invalidated answers its request but is not cached', async () => {
    const { cache, reads, answer, notify } = setup();
    // The read starts before the rotation commits; the NOTIFY arrives before the (old) row does.
    const inFlight = cache.get(KEY);
    notify(KEY);
    answer(recordOf(1));
    expect(await inFlight).toEqual(recordOf(1));

    // The next request does not get the stale record from memory: it reads the new one.
    const next = cache.get(KEY);
    expect(reads).toEqual([KEY, KEY]);
    answer(recordOf(2));
    expect(await next).toEqual(recordOf(2));
    // And that one, read after the invalidation, is cached.
    expect(await cache.get(KEY)).toEqual(recordOf(2));
    expect(reads).toHaveLength(2);
  });

  it('forget (a change made on this instance) has the same effect on a read in flight', async () => {
    const { cache, reads, answer } = setup();
    const inFlight = cache.get(KEY);
    cache.forget(KEY);
    answer(recordOf(1));
    await inFlight;

    const next = cache.get(KEY);
    answer(recordOf(2));
    expect(await next).toEqual(recordOf(2));
    expect(reads).toEqual([KEY, KEY]);
  });

  it('of two overlapping reads, the one started before the invalidation is not cached, the one after is', async () => {
    const { cache, reads, answer, notify } = setup();
    const before = cache.get(KEY);
    notify(KEY);
    const after = cache.get(KEY);
    // The newer read answers first; the older read's (stale) answer arrives last and must not replace it.
    answer(recordOf(2), KEY, 'newest');
    expect(await after).toEqual(recordOf(2));
    answer(recordOf(1));
    expect(await before).toEqual(recordOf(1));

    expect(await cache.get(KEY)).toEqual(recordOf(2));
    expect(reads).toEqual([KEY, KEY]);
  });

  it("an invalidation of another key does not stop this key's read from being cached", async () => {
    const { cache, reads, answer, notify } = setup();
    const inFlight = cache.get(KEY);
    notify(OTHER_KEY);
    answer(recordOf(1));
    await inFlight;

    expect(await cache.get(KEY)).toEqual(recordOf(1));
    expect(reads).toEqual([KEY]);
  });

  it('a deletion notified during a read: the record read before it is not kept, the next read finds nothing', async () => {
    const { cache, answer, notify } = setup();
    const inFlight = cache.get(KEY);
    notify(KEY);
    answer(recordOf(1));
    await inFlight;

    const next = cache.get(KEY);
    answer(undefined);
    expect(await next).toBeUndefined();
  });

  it('a listener reconnect clears every key (notifications may have been lost) and reads in flight are not cached', async () => {
    const { cache, reads, answer, reconnect, inFlight } = setup();
    const cachedBefore = cache.get(OTHER_KEY);
    answer(recordOf(1, OTHER_KEY), OTHER_KEY);
    await cachedBefore;
    const readDuringOutage = cache.get(KEY);

    reconnect();
    answer(recordOf(1));
    await readDuringOutage;
    expect(inFlight()).toBe(0);

    const again = [cache.get(KEY), cache.get(OTHER_KEY)];
    expect(reads).toEqual([OTHER_KEY, KEY, KEY, OTHER_KEY]);
    answer(recordOf(2));
    answer(recordOf(2, OTHER_KEY), OTHER_KEY);
    expect(await Promise.all(again)).toEqual([recordOf(2), recordOf(2, OTHER_KEY)]);
    // Read after the reconnect: cached.
    expect(await cache.get(KEY)).toEqual(recordOf(2));
    expect(reads).toHaveLength(4);
  });

  it('a failed read caches nothing and leaves no read in flight behind', async () => {
    const db = controllableStore();
    const pg = controllableListener();
    let fail = true;
    const store = strictFake<ApplicationsStore>('ApplicationsStore', {
      find: (key: string) => (fail ? Promise.reject(new Error('connection lost')) : db.store.find(key)),
    });
    const cache = new ApplicationCache(store, pg.listener);

    await expect(cache.get(KEY)).rejects.toThrow('connection lost');
    fail = false;
    const next = cache.get(KEY);
    db.answer(recordOf(1));
    expect(await next).toEqual(recordOf(1));
    expect(await cache.get(KEY)).toEqual(recordOf(1));
    expect(db.reads).toEqual([KEY]);
  });
});
