import { QueryFailedError } from 'typeorm';
import { isTransientError } from '@omni/messaging';
import { withoutPersonalData } from './recipients.repository';

function queryFailed(driverError: Record<string, unknown>): QueryFailedError {
  const error = Object.assign(new Error(String(driverError.message)), driverError);
  return new QueryFailedError('INSERT INTO "recipients" …', ['app-key-1', 'email-x', 'john@domain.com'], error);
}

describe('withoutPersonalData (errors saving a recipient reach the logs)', () => {
  it('a race on the primary key (two registrations of one new address) becomes a retried serialization failure', () => {
    const error = withoutPersonalData(
      queryFailed({ code: '23505', constraint: 'recipients_pkey', message: 'duplicate key', detail: 'Key (application, recipient_id)=(app-key-1, email-x) already exists.' }),
    );

    expect(isTransientError(error)).toBe(true);
    expect(JSON.stringify(error)).not.toContain('john@domain.com');
  });

  it('an integrity or data error keeps its SQLSTATE and constraint but loses the query parameters and the detail quoting the address', () => {
    const error = withoutPersonalData(
      queryFailed({
        code: '23505',
        constraint: 'recipients_address_key',
        message: 'duplicate key value violates unique constraint "recipients_address_key"',
        detail: 'Key (application, channel, address)=(app-key-1, email, john@domain.com) already exists.',
      }),
    ) as Error & { code?: string };

    expect(error.message).toBe('saving a recipient failed: SQLSTATE 23505 (recipients_address_key)');
    expect(error.code).toBe('23505');
    expect(isTransientError(error)).toBe(false);
    expect(JSON.stringify({ ...error, message: error.message, stack: error.stack })).not.toContain('john@domain.com');
  });

  it('an infrastructure error stays transient (its message carries no values)', () => {
    const error = withoutPersonalData(queryFailed({ code: '57P01', message: 'terminating connection due to administrator command' }));

    expect(isTransientError(error)).toBe(true);
    expect((error as Error).message).toBe('terminating connection due to administrator command');
    expect(error).not.toHaveProperty('parameters');
  });

  it('any other error passes through unchanged', () => {
    const error = new Error('boom');
    expect(withoutPersonalData(error)).toBe(error);
  });
});
