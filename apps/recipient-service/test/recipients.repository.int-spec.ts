import { DataSource, EntityManager } from 'typeorm';
import { ADD_RECIPIENT_TAGS, CausedBy, CommandType, Message, REGISTER_RECIPIENT, newEnvelope, recipientId } from '@omni/contracts';
import { ApplicationSettingsStore } from '@omni/app-settings';
import { createServiceDataSource } from '@omni/persistence';
import { batchStatementsOf, statementsOf, TestDatabase, testDatabase } from '@omni/testing';
import { RECIPIENT_SCHEMA } from '../src/config';
import { Recipient, RecipientState } from '../src/domain/recipient';
import { hashVerificationToken } from '../src/domain/verification-token';
import { RecipientEntity } from '../src/persistence/recipient.entity';
import { RecipientsRepository } from '../src/persistence/recipients.repository';
import { AddRecipientTagsUseCase } from '../src/use-cases/add-recipient-tags/add-recipient-tags.use-case';
import { RegisterRecipientUseCase } from '../src/use-cases/register-recipient/register-recipient.use-case';
import { Clock, VerificationTokens } from '../src/verification/verification-tokens';

const APP = 'app-recipients-repository';
const cause: CausedBy = { id: 'command-1', correlationId: 'command-1', application: APP };
/** Tags that a text[] literal must quote or escape, and text beyond ASCII. */
const AWKWARD_TAGS = ['ünïcode', '标签', 'with "quotes"', 'back\\slash', 'comma, {braces}', 'NULL', '😀'];
/** A token whose expiry has milliseconds, which timestamptz keeps. */
const TOKEN = { token: 'token-1', hash: hashVerificationToken('token-1'), expiresAt: new Date('2031-02-03T04:05:06.789Z') };

/** The state TypeORM's entity maps from the row (what the repository returned before it used plain SQL). */
function entityState(row: RecipientEntity): RecipientState {
  const { application, recipientId: id, channel, address, userId, userName, properties, tags, userData, status, verification, tokenHash, tokenExpiresAt, version } =
    row;
  const token = tokenHash !== null && tokenExpiresAt !== null ? { hash: tokenHash, expiresAt: tokenExpiresAt } : null;
  return { application, recipientId: id, channel, address, userId, userName, properties, tags, userData, status, verification, token, version };
}

describe('RecipientsRepository on PostgreSQL', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  const recipients = new RecipientsRepository();

  const inTransaction = <T>(work: (em: EntityManager) => Promise<T>): Promise<T> => dataSource.transaction(work);
  const save = (recipient: Recipient) => inTransaction((em) => recipients.save(em, recipient));
  const read = (id: string) => inTransaction((em) => recipients.findForUpdate(em, APP, id));
  const entity = (id: string) => dataSource.getRepository(RecipientEntity).findOneByOrFail({ application: APP, recipientId: id });
  const email = (address: string, changes: Partial<Parameters<typeof Recipient.register>[4]> = {}) =>
    Recipient.register(APP, recipientId('email', address), 'email', address, { properties: {}, ...changes }, cause);

  beforeAll(async () => {
    db = await testDatabase();
    dataSource = await createServiceDataSource({
      url: db.url,
      schema: RECIPIENT_SCHEMA,
      applicationName: 'recipients-repository-test',
      entities: [RecipientEntity],
    }).initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it('a contact with every column set (a pending verification too) reads back as it was saved, and as the entity maps its row', async () => {
    const contact = email('zoë.ünï@dömain.example', {
      properties: { language: 'nl', region: 'NL', country: 'NL', timeZone: 'Europe/Amsterdam', timeZoneOffset: 1 },
      user: { userId: 'user-Ü-1', userName: "Zoë O'Brien 😀" },
      userData: { firstName: 'Zoë', age: 42, vip: true },
      tags: AWKWARD_TAGS,
      verify: () => TOKEN,
    });
    const id = contact.snapshot.recipientId;
    await save(contact);

    const found = await read(id);

    expect(found?.snapshot).toEqual(contact.snapshot);
    expect(found?.snapshot).toMatchObject({
      version: 2,
      status: 'inactive',
      verification: 'pending',
      token: { hash: TOKEN.hash, expiresAt: TOKEN.expiresAt },
      tags: AWKWARD_TAGS,
    });
    expect(entityState(await entity(id))).toEqual(contact.snapshot);
  });

  it('an anonymous SMS number with nothing set keeps its nulls, empty tags and empty objects', async () => {
    const id = recipientId('sms', '+31612345678');
    const contact = Recipient.register(APP, id, 'sms', '+31612345678', { properties: {} }, cause);
    await save(contact);

    const found = await read(id);

    expect(found?.snapshot).toEqual({
      application: APP,
      recipientId: id,
      channel: 'sms',
      address: '+31612345678',
      userId: null,
      userName: null,
      properties: {},
      tags: [],
      userData: {},
      status: 'active',
      verification: 'none',
      token: null,
      version: 1,
    });
    expect(entityState(await entity(id))).toEqual(found?.snapshot);
  });

  it('an erased contact is stored as a tombstone (no address) and registered anew continues its versions', async () => {
    const contact = email('erased@domain.example', { user: { userId: 'U-erased', userName: 'Ada' }, tags: ['a'], userData: { firstName: 'Ada' } });
    const id = contact.snapshot.recipientId;
    await save(contact);

    const tombstone = await inTransaction(async (em) => {
      const [stored] = await recipients.findOfUserForUpdate(em, APP, 'U-erased');
      stored.erase(cause);
      await recipients.save(em, stored);
      return stored;
    });
    expect((await read(id))?.snapshot).toEqual(tombstone.snapshot);
    expect(tombstone.snapshot).toMatchObject({ address: null, userId: null, status: 'erased', tags: [], userData: {}, version: 2 });
    const created = await entity(id);

    const anew = await inTransaction(async (em) => {
      const stored = await recipients.findForUpdate(em, APP, id);
      stored!.registerAnew('erased@domain.example', { properties: { language: 'en' } }, cause);
      await recipients.save(em, stored!);
      return stored!;
    });

    expect((await read(id))?.snapshot).toEqual(anew.snapshot);
    expect(anew.snapshot).toMatchObject({ address: 'erased@domain.example', status: 'active', version: 3 });
    expect((await entity(id)).createdAt).toEqual(created.createdAt);
  });

  it('a save never overwrites a row that is not at the version the contact was read at: a retryable serialization failure', async () => {
    const first = email('raced@domain.example', { properties: { language: 'en' } });
    const id = first.snapshot.recipientId;
    await save(first);
    // Another registration of the same new address, decided before the first committed.
    const second = email('raced@domain.example', { properties: { language: 'de' } });
    // A copy read at version 1 while another transaction moved the row on to version 2.
    const stale = Recipient.restore(first.snapshot);
    const moved = Recipient.restore(first.snapshot);
    moved.addTags(['moved'], cause);
    await save(moved);
    stale.addTags(['stale'], cause);

    await expect(save(second)).rejects.toMatchObject({ code: '40001' });
    await expect(save(stale)).rejects.toMatchObject({ code: '40001' });
    expect((await read(id))?.snapshot).toEqual(moved.snapshot);
  });

  it('an address stored under another recipient id is refused without a failing statement and without quoting the address', async () => {
    await save(email('taken@domain.example'));
    const other = Recipient.register(APP, 'email-another-id', 'email', 'taken@domain.example', { properties: {} }, cause);

    const refused = save(other);

    await expect(refused).rejects.toThrow('the address of this recipient is stored under another recipient id');
    await expect(refused).rejects.not.toThrow(/taken@domain\.example/);
    expect(await read('email-another-id')).toBeNull();
  });

  it("a user's contacts are locked and listed in code point order, whatever the collation", async () => {
    for (const id of ['b', 'a', 'é', '😀', 'B']) {
      await save(Recipient.register(APP, `order-${id}`, 'email', `${id}@order.example`, { properties: {}, user: { userId: 'U-order', userName: null } }, cause));
    }

    const found = await inTransaction((em) => recipients.findOfUserForUpdate(em, APP, 'U-order'));

    expect(found.map((recipient) => recipient.snapshot.recipientId)).toEqual(['order-B', 'order-a', 'order-b', 'order-é', 'order-😀']);
    expect(found[0].snapshot).toEqual((await read('order-B'))?.snapshot);
    expect(await inTransaction((em) => recipients.findOfUserForUpdate(em, APP, 'U-nobody'))).toEqual([]);
  });

  it("the limit of contacts per user counts active and pending contacts, not deactivated ones, whoever else's they are", async () => {
    const owner = { userId: 'U-present', userName: null };
    await save(email('present-active@domain.example', { user: owner }));
    await save(email('present-pending@domain.example', { user: owner, verify: () => TOKEN }));
    const deactivated = email('present-gone@domain.example', { user: owner });
    deactivated.deactivate(cause);
    await save(deactivated);
    await save(email('present-other@domain.example', { user: { userId: 'U-someone-else', userName: null } }));
    const user = { application: APP, userId: 'U-present' };

    expect(await inTransaction((em) => recipients.mayAttach(em, user, [], 3))).toBe(true);
    expect(await inTransaction((em) => recipients.mayAttach(em, user, [], 2))).toBe(false);
    // The contact a change concerns is not counted against it.
    expect(await inTransaction((em) => recipients.mayAttach(em, user, [recipientId('email', 'present-active@domain.example')], 2))).toBe(true);
  });

  describe('statements per command (each one is a round trip)', () => {
    const settings = new ApplicationSettingsStore(RECIPIENT_SCHEMA);
    const clock = new Clock();
    const command = <T extends CommandType>(type: T, id: string, payload: Message<T>['payload']): Message<T> =>
      newEnvelope({ type, application: APP, aggregateId: id, aggregateVersion: null, payload });

    const statements = (run: (em: EntityManager) => Promise<unknown>) => statementsOf(dataSource, run);

    it('the backend registering an email for a user, then tagging it: one locking read and one write each (and, to attach, the limit: settings, the user\'s lock, a count)', async () => {
      const register = new RegisterRecipientUseCase(recipients, settings, clock, new VerificationTokens(60, clock));
      const addTags = new AddRecipientTagsUseCase(recipients);
      const address = 'counted@domain.example';
      const id = recipientId('email', address);

      expect(
        await statements((em) =>
          register.execute(
            em,
            command(REGISTER_RECIPIENT, id, { channel: 'email', address, normalisedAddress: address, userID: 'U-counted', language: 'en', credential: 'master' }),
          ),
        ),
      ).toEqual(['SELECT', 'SELECT', 'SELECT', 'SELECT', 'INSERT']);
      expect(await statements((em) => addTags.execute(em, command(ADD_RECIPIENT_TAGS, id, { tags: ['x'] })))).toEqual(['SELECT', 'UPDATE']);
      expect((await read(id))?.snapshot).toMatchObject({ userId: 'U-counted', tags: ['x'], version: 2 });
    });

    it('in a consumer\'s batch: one locking read for all its contacts, one insert of the new ones, one update of the others', async () => {
      const existing = email('batch-old@domain.example', { verify: () => TOKEN, user: { userId: 'U-batch', userName: null } });
      await save(existing);
      const fresh = email('batch-new@domain.example');
      const sent = await batchStatementsOf(dataSource, async (tx) => {
        const ids = [existing, fresh].map((recipient) => ({ application: APP, recipientId: recipient.snapshot.recipientId }));
        await recipients.preload(tx.shared()!.em, ids);
        await tx.run(async (em) => {
          const old = await recipients.findForUpdate(em, APP, existing.snapshot.recipientId);
          old!.addTags(['x'], cause);
          await recipients.save(em, old!);
          expect(await recipients.findForUpdate(em, APP, fresh.snapshot.recipientId)).toBeNull();
          await recipients.save(em, fresh);
          // The next command sees what this one left.
          expect((await recipients.findForUpdate(em, APP, existing.snapshot.recipientId))?.snapshot.tags).toEqual(['x']);
        });
      });
      expect(sent).toEqual(['SELECT', 'INSERT', 'UPDATE']);
      expect((await read(existing.snapshot.recipientId))?.snapshot).toEqual({ ...existing.snapshot, tags: ['x'], version: existing.snapshot.version + 1 });
      expect((await read(fresh.snapshot.recipientId))?.snapshot).toEqual(fresh.snapshot);
      expect((await read(existing.snapshot.recipientId))?.registeredAt).toEqual(existing.registeredAt);
    });

    it('in a consumer\'s batch, an address stored under another id fails the batch (to be retried one at a time) without quoting it', async () => {
      await save(email('batch-taken@domain.example'));
      const other = Recipient.register(APP, 'email-batch-other-id', 'email', 'batch-taken@domain.example', { properties: {} }, cause);
      const failed = batchStatementsOf(dataSource, (tx) => tx.run((em) => recipients.save(em, other)));
      await expect(failed).rejects.toMatchObject({ code: '40001' });
      await expect(failed).rejects.not.toThrow(/batch-taken@domain\.example/);
      expect(await read('email-batch-other-id')).toBeNull();
    });
  });
});
