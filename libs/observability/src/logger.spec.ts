import { Writable } from 'node:stream';
import { withCorrelationId } from './correlation';
import { PinoNestLogger, REDACTED_KEYS, REDACTED_PATHS, createLogger, logFormat } from './logger';

/** A logger writing into an array: one parsed object per log line. */
function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const text: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        text.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return { logger: createLogger('test-service', 'debug', destination), lines, text };
}

const PERSONAL = {
  email: 'ada.lovelace@example.org',
  phone: '+31612345678',
  userName: 'Ada Lovelace',
  userData: { firstName: 'Augusta', loyalty: 'gold-tier-7731' },
};

describe('logger REDACTED_PATHS: personal data never reaches a log line', () => {
  it.each(['email', 'phone', 'userName', 'userData'] as const)('a nested %s value is printed as [redacted], its key kept', (key) => {
    const { logger, lines, text } = capturedLogger();

    logger.info({ user: { id: 'U-1', [key]: PERSONAL[key] } }, 'user changed');

    expect(lines[0].user).toEqual({ id: 'U-1', [key]: '[redacted]' });
    expect(text.join('\n')).not.toContain(key === 'userData' ? 'gold-tier-7731' : PERSONAL[key]);
  });

  it('redacts every personal field of a whole nested record, and the same fields at the top of the line', () => {
    const { logger, text } = capturedLogger();

    logger.warn({ recipient: { id: 'R-1', ...PERSONAL }, ...PERSONAL }, 'recipient changed');

    const printed = text.join('\n');
    for (const value of [PERSONAL.email, PERSONAL.phone, PERSONAL.userName, 'Augusta', 'gold-tier-7731']) expect(printed).not.toContain(value);
    expect(printed).toContain('"id":"R-1"');
  });

  it('redacts a message payload, credentials and the parameters of a database error', () => {
    const { logger, text } = capturedLogger();

    logger.error(
      {
        command: { id: 'c-1', payload: { email: PERSONAL.email } },
        headers: { authorization: 'Basic c2VjcmV0' },
        err: { message: 'duplicate key', parameters: [PERSONAL.phone], detail: `Key (email)=(${PERSONAL.email}) exists` },
      },
      'command failed',
    );

    const printed = text.join('\n');
    for (const value of [PERSONAL.email, PERSONAL.phone, 'c2VjcmV0']) expect(printed).not.toContain(value);
    expect(printed).toContain('"id":"c-1"');
  });

  it('lists every sensitive key at the top level and one level down', () => {
    for (const key of REDACTED_KEYS) expect(REDACTED_PATHS).toEqual(expect.arrayContaining([key, `*.${key}`]));
  });

  it('carries the correlation id of the work it logs for, and the service name', () => {
    const { logger, lines } = capturedLogger();

    withCorrelationId('trace-42', () => logger.debug({ type: 'user.update' }, 'command sent'));

    expect(lines[0]).toMatchObject({ service: 'test-service', level: 'debug', correlationId: 'trace-42', type: 'user.update' });
  });
});

describe('logFormat', () => {
  it('is pretty on a terminal and JSON otherwise, unless LOG_FORMAT says which', () => {
    expect(logFormat({}, true)).toBe('pretty');
    expect(logFormat({}, false)).toBe('json');
    expect(logFormat({ LOG_FORMAT: 'json' }, true)).toBe('json');
    expect(logFormat({ LOG_FORMAT: 'pretty' }, false)).toBe('pretty');
  });
});

describe('PinoNestLogger', () => {
  it("writes Nest's start-up narration (modules, routes) at debug, everything else it says at info", () => {
    const { logger, lines } = capturedLogger();
    const nest = new PinoNestLogger(logger);
    nest.log('Mapped {/user, GET} route', 'RouterExplorer');
    nest.log('GatewayModule dependencies initialized', 'InstanceLoader');
    nest.log('Something worth knowing', 'DeviceService');
    expect(lines.map((line) => [line.level, line.context])).toEqual([
      ['debug', 'RouterExplorer'],
      ['debug', 'InstanceLoader'],
      ['info', 'DeviceService'],
    ]);
  });
});
