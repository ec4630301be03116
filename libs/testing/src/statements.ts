import { DataSource, EntityManager } from 'typeorm';
import { TransactionRunner } from '@omni/persistence';

/**
 * The first word of every statement `run` sends, in a transaction of its own: how many round trips
 * a piece of work costs (BEGIN and COMMIT not counted).
 */
export function statementsOf(dataSource: DataSource, run: (em: EntityManager) => Promise<unknown>): Promise<string[]> {
  return dataSource.transaction((em) => counted(em, () => run(em)));
}

/**
 * The same for a consumer's unit of work: `run` is given the runner whose batch is open (its
 * `shared()` em, its `run` joining the batch); the batch's deferred writes are counted, its COMMIT not.
 */
export async function batchStatementsOf(dataSource: DataSource, run: (tx: TransactionRunner) => Promise<unknown>): Promise<string[]> {
  const tx = new TransactionRunner(dataSource);
  let sent: string[] = [];
  await tx.batch(async () => {
    const batch = tx.shared()!;
    sent = await counted(batch.em, async () => {
      await run(tx);
      await batch.flush();
    });
  });
  return sent;
}

async function counted(em: EntityManager, run: () => Promise<unknown>): Promise<string[]> {
  const runner = em.queryRunner!;
  const query = runner.query.bind(runner);
  const sent: string[] = [];
  runner.query = ((sql: string, ...rest: unknown[]) => {
    sent.push(sql.trim().split(/\s/)[0]);
    return (query as (...args: unknown[]) => Promise<unknown>)(sql, ...rest);
  }) as typeof runner.query;
  try {
    await run();
    return sent;
  } finally {
    runner.query = query;
  }
}
