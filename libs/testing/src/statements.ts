import { DataSource, EntityManager } from 'typeorm';

/**
 * The first word of every statement `run` sends, in a transaction of its own: how many round trips
 * a piece of work costs (BEGIN and COMMIT not counted).
 */
export function statementsOf(dataSource: DataSource, run: (em: EntityManager) => Promise<unknown>): Promise<string[]> {
  return dataSource.transaction(async (em) => {
    const runner = em.queryRunner!;
    const query = runner.query.bind(runner);
    const sent: string[] = [];
    runner.query = ((sql: string, ...rest: unknown[]) => {
      sent.push(sql.trim().split(/\s/)[0]);
      return (query as (...args: unknown[]) => Promise<unknown>)(sql, ...rest);
    }) as typeof runner.query;
    try {
      await run(em);
      return sent;
    } finally {
      runner.query = query;
    }
  });
}
