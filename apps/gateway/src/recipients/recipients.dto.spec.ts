import { recipientId } from '@omni/contracts';
import { ApiError } from '../errors/api-error';
import { validated as valid, validationError } from '../errors/validation.testing';
import { CreateEmailDto, CreateSmsDto, RecipientTagsDto, UpdateRecipientDto } from './dto/recipient.dto';
import { RecipientIdPipe } from './recipient-id.pipe';

/** The 400's fields (throws when the value is valid); no message may quote the value. */
async function invalidFields(metatype: new () => unknown, value: Record<string, unknown>, secret?: string): Promise<string[]> {
  const { body, fields } = await validationError(metatype, value);
  if (secret) expect(JSON.stringify(body)).not.toContain(secret);
  return fields;
}

const ARTICLE = { userID: 'U123456789', userName: 'John Doe', language: 'en', region: 'NL' };

describe('email and sms routes input', () => {
  it("takes the article's bodies as they are, and drops a credential and unknown fields", async () => {
    await expect(valid(CreateEmailDto, { email: 'myemail@domain.com', ...ARTICLE, credential: 'sdk', other: 1 })).resolves.toEqual({
      email: 'myemail@domain.com',
      ...ARTICLE,
    });
    await expect(valid(CreateSmsDto, { phone: '+31123456789', ...ARTICLE })).resolves.toMatchObject({ phone: '+31123456789', ...ARTICLE });
  });

  it('takes every EmailCreate field; null clears', async () => {
    const body = {
      email: ' John.Doe@Example.COM ',
      tags: ['tag1'],
      userData: { firstName: 'John', vip: true, lastName: null },
      country: 'nl',
      timeZone: 'Europe/Amsterdam',
      timeZoneOffset: 2,
      verify: true,
      userID: null,
      language: null,
    };
    await expect(valid(CreateEmailDto, body)).resolves.toEqual(body);
  });

  it('an sms number is international, or national with a region', async () => {
    await expect(valid(CreateSmsDto, { phone: '06 12345678', region: 'NL' })).resolves.toMatchObject({ phone: '06 12345678' });
    await expect(valid(CreateSmsDto, { phone: '0031 6 12345678' })).resolves.toMatchObject({ phone: '0031 6 12345678' });
    expect(await invalidFields(CreateSmsDto, { phone: '06 12345678' }, '12345678')).toEqual(['phone']);
    expect(await invalidFields(CreateSmsDto, { phone: '06 12345678', region: 42 })).toEqual(['phone', 'region']);
  });

  it.each([
    ['no email', CreateEmailDto, {}, ['email']],
    ['an invalid email', CreateEmailDto, { email: 'not-an-email' }, ['email']],
    ['an email that is not a string', CreateEmailDto, { email: 42 }, ['email']],
    ['a phone in the email field', CreateEmailDto, { email: '+31612345678' }, ['email']],
    ['no phone', CreateSmsDto, {}, ['phone']],
    ['an invalid phone', CreateSmsDto, { phone: '+31 6 CALL ME' }, ['phone']],
    ['an unknown region', CreateEmailDto, { email: 'a@b.co', region: 'XX' }, ['region']],
    ['an unknown country', CreateEmailDto, { email: 'a@b.co', country: 'UK' }, ['country']],
    ['an unknown time zone', CreateSmsDto, { phone: '+31612345678', timeZone: 'Mars/Olympus' }, ['timeZone']],
    ['an offset beyond 14 hours', CreateSmsDto, { phone: '+31612345678', timeZoneOffset: 15 }, ['timeZoneOffset']],
    ['a bad language', CreateEmailDto, { email: 'a@b.co', language: 'english please' }, ['language']],
    ['an empty userID', CreateEmailDto, { email: 'a@b.co', userID: '' }, ['userID']],
    ['a tag with a control character', CreateEmailDto, { email: 'a@b.co', tags: ['a\u0007'] }, ['tags']],
    ['tags that are not a list', CreateEmailDto, { email: 'a@b.co', tags: 'a' }, ['tags']],
    ['user data that is a list', CreateEmailDto, { email: 'a@b.co', userData: ['x'] }, ['userData']],
    ['user data with an object value', CreateEmailDto, { email: 'a@b.co', userData: { a: { b: 1 } } }, ['userData']],
    ['verify as a string', CreateEmailDto, { email: 'a@b.co', verify: 'yes' }, ['verify']],
  ])('refuses %s with 400 naming the field', async (_case, metatype, body, fields) => {
    expect(await invalidFields(metatype as new () => unknown, body as Record<string, unknown>, 'not-an-email')).toEqual(fields);
  });

  it('updates take the same fields (and subscriptionId), and need none', async () => {
    await expect(valid(UpdateRecipientDto, {})).resolves.toEqual({});
    await expect(valid(UpdateRecipientDto, { subscriptionId: 'a@b.co', language: 'nl', dnd: { start: '23:00' }, latitude: 52 })).resolves.toEqual({
      subscriptionId: 'a@b.co',
      language: 'nl',
    });
    expect(await invalidFields(UpdateRecipientDto, { region: 'ZZ', subscriptionId: 7 })).toEqual(['region', 'subscriptionId']);
  });

  it('tags: 1 to 100 valid tags', async () => {
    await expect(valid(RecipientTagsDto, { tags: ['tag1', 'tag2'] })).resolves.toEqual({ tags: ['tag1', 'tag2'] });
    for (const tags of [[], undefined, [''], [' lead'], Array.from({ length: 101 }, (_, i) => `t${i}`), 'tag1']) {
      expect(await invalidFields(RecipientTagsDto, { tags })).toEqual(['tags']);
    }
  });

  it('{deviceID} must be a recipient id of the route channel, else 404 as an unknown one', () => {
    const email = recipientId('email', 'myemail@domain.com');
    const sms = recipientId('sms', '+31123456789');
    expect(new RecipientIdPipe('email').transform(email)).toBe(email);
    expect(new RecipientIdPipe('sms').transform(sms)).toBe(sms);
    for (const [channel, value] of [
      ['email', sms],
      ['sms', email],
      ['email', 'myemail@domain.com'],
      ['email', `${email}x`],
      ['email', ''],
      ['sms', 'push-Zm0qoCOCcuDfqwL2gTbQNA'],
    ] as const) {
      try {
        new RecipientIdPipe(channel).transform(value);
        throw new Error(`accepted ${value}`);
      } catch (error) {
        expect((error as ApiError).getResponse()).toEqual({ status: 404, code: 'RECIPIENT_NOT_FOUND', message: 'recipient not found' });
      }
    }
  });
});
