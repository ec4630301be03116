import { DataSource } from 'typeorm';
import { TestDatabase, testDatabase } from '@omni/testing';
import { TransactionRunner, batchOf, createServiceDataSource, databaseName, queryRows, quoteIdentifier } from '../src';

const SCHEMA = 'tx_test';

/** TransactionRunner's batches on a real PostgreSQL: what commits together, what runs when. */
describe('TransactionRunner (real PostgreSQL)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let tx: TransactionRunner;

  beforeAll(async () => {
    db = await testDatabase();
    dataSource = await createServiceDataSource({ url: db.url, schema: SCHEMA, applicationName: 'tx-test' }).initialize();
    await dataSource.query(`CREATE SCHEMA ${SCHEMA}`);
    await dataSource.query(`CREATE TABLE ${SCHEMA}.rows (label text NOT NULL, txid bigint NOT NULL DEFAULT txid_current())`);
    tx = new TransactionRunner(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  beforeEach(() => dataSource.query(`TRUNCATE ${SCHEMA}.rows`));

  const insert = (label: string) => tx.run((em) => em.query(`INSERT INTO ${SCHEMA}.rows (label) VALUES ($1)`, [label]));
  /** Read on another connection: only what has committed. */
  const committed = () => queryRows<{ label: string; txid: string }>(dataSource, `SELECT label, txid::text FROM ${SCHEMA}.rows ORDER BY label`);

  it('outside a batch, each unit commits on its own and its after-commit effect runs at once', async () => {
    await insert('a');
    await insert('b');
    const effects: string[] = [];
    tx.afterCommit(() => effects.push('now'));

    const rows = await committed();
    expect(rows.map((row) => row.label)).toEqual(['a', 'b']);
    expect(new Set(rows.map((row) => row.txid)).size).toBe(2);
    expect(effects).toEqual(['now']);
  });

  it('in a batch, units share one transaction; flushes run once before commit and again when asked again; effects run after commit', async () => {
    const effects: Promise<string[]>[] = [];
    let flushes = 0;
    await tx.batch(async () => {
      for (const label of ['a', 'b', 'c']) {
        await insert(label);
        const batch = tx.shared()!;
        const labels = batch.local('labels', () => [] as string[]);
        labels.push(label);
        batch.once('flush', async (em) => {
          flushes += 1;
          const drained = labels.splice(0);
          await em.query(`INSERT INTO ${SCHEMA}.rows (label) VALUES ($1)`, [`flush:${drained.join('')}`]);
          // A flush asking for another one: it runs after this one, in the same transaction.
          if (flushes === 1) batch.once('late', (late) => late.query(`INSERT INTO ${SCHEMA}.rows (label) VALUES ('late')`).then(() => undefined));
        });
        tx.afterCommit(() => effects.push(committed().then((rows) => rows.map((row) => row.label))));
      }
      expect(await committed()).toEqual([]);
      expect(effects).toEqual([]);
    });

    const rows = await committed();
    expect(rows.map((row) => row.label)).toEqual(['a', 'b', 'c', 'flush:abc', 'late']);
    expect(new Set(rows.map((row) => row.txid)).size).toBe(1);
    expect(flushes).toBe(1);
    // Each effect ran after the commit and saw all of it.
    const labels = rows.map((row) => row.label);
    expect(await Promise.all(effects)).toEqual([labels, labels, labels]);
  });

  it('a flush asked for as last runs after every other, even those asked for after it', async () => {
    const order: string[] = [];
    await tx.batch(async () => {
      const batch = tx.shared()!;
      batch.once('notify', async () => void order.push('notify'), { last: true });
      batch.once('outbox', async () => {
        order.push('outbox');
        batch.once('snapshots', async () => void order.push('snapshots'));
      });
    });
    expect(order).toEqual(['outbox', 'snapshots', 'notify']);
  });

  it('a unit that throws rolls the whole batch back, even when the batch caught its error; no effect runs', async () => {
    const effects: string[] = [];
    const failure = new Error('the second unit failed');
    await expect(
      tx.batch(async () => {
        await insert('a');
        tx.afterCommit(() => effects.push('a'));
        await tx
          .run(async (em) => {
            await em.query(`INSERT INTO ${SCHEMA}.rows (label) VALUES ('b')`);
            throw failure;
          })
          .catch(() => undefined);
        await insert('c');
      }),
    ).rejects.toBe(failure);

    expect(await committed()).toEqual([]);
    expect(effects).toEqual([]);
  });

  it('runs READ COMMITTED even where the server defaults to another isolation level', async () => {
    await dataSource.query(`ALTER DATABASE ${quoteIdentifier(databaseName(db.url))} SET default_transaction_isolation = 'serializable'`);
    const other = await createServiceDataSource({ url: db.url, schema: SCHEMA, applicationName: 'tx-test-isolation', poolSize: 1 }).initialize();
    try {
      const plain = (await queryRows<{ level: string }>(other, 'SELECT current_setting($1) AS level', ['default_transaction_isolation']))[0];
      const runner = new TransactionRunner(other);
      const levels = await Promise.all([
        runner.run((em) => queryRows<{ level: string }>(em, 'SHOW transaction_isolation')),
        runner.batch(() => runner.run((em) => queryRows<{ level: string }>(em, 'SHOW transaction_isolation'))),
      ]);
      expect(plain.level).toBe('read committed');
      expect(levels.map((rows) => Object.values(rows[0])[0])).toEqual(['read committed', 'read committed']);
    } finally {
      await other.destroy();
      await dataSource.query(`ALTER DATABASE ${quoteIdentifier(databaseName(db.url))} RESET default_transaction_isolation`);
    }
  });

  it('knows the batch of an EntityManager, and refuses a batch inside a batch', async () => {
    await tx.batch(async () => {
      const batch = tx.shared()!;
      await tx.run(async (em) => expect(batchOf(em)).toBe(batch));
      await expect(tx.batch(async () => undefined)).rejects.toThrow('already open');
    });
    await dataSource.transaction(async (em) => expect(batchOf(em)).toBeUndefined());
  });
});
