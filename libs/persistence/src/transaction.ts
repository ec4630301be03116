import { DataSource, EntityManager } from 'typeorm';

/**
 * Runs a unit of work in one database transaction: state changes, outbox rows and the inbox
 * claim commit together or not at all.
 */
export class TransactionRunner {
  constructor(private readonly dataSource: DataSource) {}

  run<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction('READ COMMITTED', work);
  }
}
