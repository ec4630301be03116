import { FaultSuite, FaultSuiteConfig, faultPhases, reportTable } from './fault-scenario';

/**
 * The jest shape of a fault run: the private stack in beforeAll, one test per fault (in order,
 * on the same stack and load), the report table and the teardown in afterAll. Each test states
 * the guarantees checked after its fault.
 */
export function defineFaultSuite(title: string, config: FaultSuiteConfig): void {
  describe(title, () => {
    let suite: FaultSuite | undefined;

    beforeAll(async () => {
      suite = await FaultSuite.start(config);
    }, 240_000);

    afterAll(async () => {
      if (suite && suite.reports.length > 0) {
        // eslint-disable-next-line no-console -- the figures are this suite's output (docs/reliability.md)
        console.log(`${title}\n\n${reportTable(suite.reports)}\n`);
      }
      await suite?.stop();
    }, 120_000);

    for (const phase of faultPhases(config)) {
      it(`${phase.name}: every acknowledged write is in the read model once, nothing is applied twice, the system recovers and drains by itself`, async () => {
        if (!suite) throw new Error('the private stack did not start');
        const report = await suite.runPhase(phase);

        expect(report.unexpectedExits).toEqual([]);
        expect(report.problems).toEqual([]);
        expect(report.acknowledged).toBeGreaterThan(0);
        expect({ found: report.found, duplicates: report.duplicates, failed: report.failed, rejected: report.rejected }).toEqual({
          found: report.acknowledged,
          duplicates: 0,
          failed: 0,
          rejected: 0,
        });
        if (phase.name.startsWith('kill -9 a gateway')) expect(report.retried).toBeGreaterThan(0);
      }, config.load.retryForMs + config.recoveryTimeoutMs + config.drainTimeoutMs + 120_000);
    }
  });
}
