import { newApplicationKey } from '../auth/credentials';
import { ApplicationKeyPipe } from './application-key.pipe';

describe('ApplicationKeyPipe', () => {
  const pipe = new ApplicationKeyPipe();

  it('passes a key through', () => {
    const key = newApplicationKey();
    expect(pipe.transform(key)).toBe(key);
  });

  // Found by the gateway fuzzer: GET /admin/applications/%00 sent NUL to PostgreSQL, which answered an error (500).
  it('answers what cannot be a key as an unknown key does: 404, without asking the database', () => {
    for (const value of ['\u0000', 'a\u0000b', '../../etc/passwd', "' OR '1'='1", 'x'.repeat(5_000), undefined]) {
      expect(() => pipe.transform(value)).toThrow(expect.objectContaining({ response: expect.objectContaining({ status: 404, code: 'APPLICATION_NOT_FOUND' }) }));
    }
  });
});
