import { logLevel } from 'kafkajs';
import { kafkaLogLevel } from './kafka-settings';

describe("kafkajs's log lines in the app's log", () => {
  it('a broker answer kafkajs retries by itself (a coordinator still loading at start) is debug, not an error', () => {
    for (const error of ['The group coordinator is not available', "The coordinator is loading and hence can't process requests for this group"]) {
      expect(kafkaLogLevel(logLevel.ERROR, 'Response GroupCoordinator(key: 10, version: 2)', { error })).toBe('debug');
    }
  });

  it('a consumer that stops on such an answer and restarts itself is a warning', () => {
    expect(kafkaLogLevel(logLevel.ERROR, "Crash: KafkaJSProtocolError: The coordinator is loading and hence can't process requests for this group", {})).toBe('warn');
    expect(kafkaLogLevel(logLevel.ERROR, 'Restarting the consumer in 300ms', { retryTime: 300 })).toBe('warn');
  });

  it('an answer it does not retry, or a failure of its own, stays an error; warnings stay warnings', () => {
    expect(kafkaLogLevel(logLevel.ERROR, 'Response Produce(key: 0, version: 7)', { error: 'The request included message batch larger than the configured segment size on the server' })).toBe('error');
    expect(kafkaLogLevel(logLevel.ERROR, 'Crash: KafkaJSNumberOfRetriesExceeded: Timeout', {})).toBe('error');
    expect(kafkaLogLevel(logLevel.WARN, 'The group is rebalancing, re-joining', {})).toBe('warn');
  });

  it('its known start-up notices are debug', () => {
    expect(kafkaLogLevel(logLevel.WARN, 'KafkaJS v2.0.0 switched default partitioner. To retain the same partitioning…', {})).toBe('debug');
  });
});
