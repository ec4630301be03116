import { DlqRecord, REDRIVE_HEADERS, dlqTopicName, entriesOf, formatList, planRedrive, summarize, viewOf } from './dlq';

const TOPIC = 'profile.commands.dlq';

function deadLetter(partition: number, offset: string, reason: string, value: Buffer | null = Buffer.from('{"id":"m1"}')): DlqRecord {
  return {
    partition,
    offset,
    key: Buffer.from('app:u1'),
    value,
    headers: {
      'message-type': Buffer.from('user.update'),
      'dlq-reason': Buffer.from(reason),
      'dlq-detail': Buffer.from('why'),
      'dlq-source-topic': Buffer.from('profile.commands'),
      'dlq-source-partition': Buffer.from('2'),
      'dlq-source-offset': Buffer.from('41'),
      'dlq-consumer': Buffer.from('profile-service'),
      'dlq-attempts': Buffer.from('5'),
      'dlq-time': Buffer.from('2025-01-01T00:00:00.000Z'),
    },
  };
}

function marker(partition: number, offset: string, target: { partition: number; offset: string }): DlqRecord {
  return {
    partition,
    offset,
    key: Buffer.from('app:u1'),
    value: null,
    headers: {
      [REDRIVE_HEADERS.marker]: Buffer.from('true'),
      [REDRIVE_HEADERS.partition]: Buffer.from(String(target.partition)),
      [REDRIVE_HEADERS.offset]: Buffer.from(target.offset),
      [REDRIVE_HEADERS.to]: Buffer.from('profile.commands'),
      [REDRIVE_HEADERS.time]: Buffer.from('2025-01-02T00:00:00.000Z'),
    },
  };
}

describe('dead-letter tooling', () => {
  it('names the dead-letter topic of a topic, and leaves a dead-letter topic as it is', () => {
    expect(dlqTopicName('profile.commands')).toBe(TOPIC);
    expect(dlqTopicName(TOPIC)).toBe(TOPIC);
  });

  it('counts dead letters by reason, not redrive markers, and pairs each marker with its dead letter', () => {
    const entries = entriesOf(TOPIC, [
      deadLetter(1, '10', 'handler-failed'),
      deadLetter(0, '9', 'invalid-payload'),
      marker(1, '11', { partition: 1, offset: '10' }),
      deadLetter(0, '2', 'invalid-payload'),
    ]);
    expect(entries.map((entry) => `${entry.partition}/${entry.offset}`)).toEqual(['0/2', '0/9', '1/10']);
    expect(entries[2].redriven).toEqual([{ time: '2025-01-02T00:00:00.000Z', to: 'profile.commands', marker: '1/11' }]);
    expect(summarize(TOPIC, entries)).toEqual({
      topic: TOPIC,
      messages: 3,
      redriven: 1,
      reasons: { 'handler-failed': 1, 'invalid-payload': 2 },
      sources: { 'profile.commands': 3 },
    });
    expect(formatList([summarize(TOPIC, entries), summarize('device.commands.dlq', [])])).toBe(
      [`${TOPIC}: 3 dead letter(s), 1 redriven`, '  handler-failed: 1', '  invalid-payload: 2', 'device.commands.dlq: empty'].join('\n'),
    );
  });

  it('refuses to redrive a message twice unless forced; --all skips what was redriven', () => {
    const entries = entriesOf(TOPIC, [deadLetter(0, '1', 'handler-failed'), deadLetter(0, '2', 'handler-failed'), marker(0, '3', { partition: 0, offset: '1' })]);
    expect(() => planRedrive(entries, { partition: 0, offset: '1' })).toThrow(/already redriven/);
    expect(planRedrive(entries, { partition: 0, offset: '1', force: true }).send.map((entry) => entry.offset)).toEqual(['1']);
    const all = planRedrive(entries, { all: true });
    expect(all.send.map((entry) => entry.offset)).toEqual(['2']);
    expect(all.skip.map(({ entry }) => entry.offset)).toEqual(['1']);
    expect(() => planRedrive(entries, { partition: 0, offset: '7' })).toThrow(/no dead letter at partition 0 offset 7/);
    expect(() => planRedrive(entries, {})).toThrow(/--all/);
  });

  it('never redrives a relay\'s notice of a record too large to publish, even forced: it has no value to send', () => {
    const entries = entriesOf(TOPIC, [deadLetter(0, '1', 'too-large', null)]);
    expect(() => planRedrive(entries, { partition: 0, offset: '1', force: true })).toThrow(/too large for Kafka/);
    expect(planRedrive(entries, { all: true, force: true }).send).toEqual([]);
  });

  it('never redrives a record without dead-letter headers: it would not know where to', () => {
    const foreign: DlqRecord = { partition: 0, offset: '5', key: null, value: Buffer.from('x'), headers: {} };
    expect(() => planRedrive(entriesOf(TOPIC, [foreign]), { partition: 0, offset: '5' })).toThrow(/no dlq-source-topic/);
  });

  it('shows the payload as JSON, text, or base64 when it is not UTF-8, and the headers without the dlq ones', () => {
    const [json] = entriesOf(TOPIC, [deadLetter(0, '1', 'x')]);
    expect(viewOf(json)).toMatchObject({
      key: 'app:u1',
      reason: 'x',
      source: { topic: 'profile.commands', partition: 2, offset: '41' },
      attempts: 5,
      headers: { 'message-type': 'user.update' },
      payload: { encoding: 'json', value: { id: 'm1' } },
    });
    const [text] = entriesOf(TOPIC, [deadLetter(0, '1', 'x', Buffer.from('{"id": "cut'))]);
    expect(viewOf(text).payload).toEqual({ encoding: 'text', value: '{"id": "cut' });
    const bytes = Buffer.from([0xff, 0x00, 0xfe]);
    const [binary] = entriesOf(TOPIC, [deadLetter(0, '1', 'x', bytes)]);
    expect(viewOf(binary).payload).toEqual({ encoding: 'base64', value: bytes.toString('base64') });
    const [empty] = entriesOf(TOPIC, [deadLetter(0, '1', 'x', null)]);
    expect(viewOf(empty).payload).toEqual({ encoding: 'null', value: null });
  });
});
