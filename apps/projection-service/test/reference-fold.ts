import { EntityManager } from 'typeorm';
import { AnyEvent, DeviceChannelState, RecipientChannelState } from '@omni/contracts';
import { ReadModelTables } from '@omni/read-model';

/**
 * The fold as it was before it became set-based: one event at a time, each change one SQL
 * statement on the tables. Kept as the test oracle of the set-based fold (which changes rows in
 * memory and writes them per batch): both must leave the same read model. Snapshots aside.
 */
export async function applyReference(em: EntityManager, t: ReadModelTables, event: AnyEvent): Promise<void> {
  const { application, aggregateId: id, time } = event;
  if (event.type === 'user.erased') return eraseReference(em, t, application, id);
  const entityType = event.type.split('.')[0];
  const advanced = (await em.query(
    `INSERT INTO ${t.entityVersions} AS v (application, entity_type, entity_id, version) VALUES ($1, $2, $3, $4)
     ON CONFLICT (application, entity_type, entity_id) DO UPDATE SET version = EXCLUDED.version WHERE v.version < EXCLUDED.version RETURNING 1`,
    [application, entityType, id, event.aggregateVersion],
  )) as unknown[];
  if (advanced.length === 0) return;
  const device = (set: string, values: unknown[] = []) =>
    em.query(`UPDATE ${t.devices} SET ${set}, updated_at = $3 WHERE application = $1 AND device_id = $2`, [application, id, time, ...values]);
  const contact = (set: string, values: unknown[] = []) =>
    em.query(`UPDATE ${t.recipients} SET ${set}, updated_at = $3 WHERE application = $1 AND recipient_id = $2`, [application, id, time, ...values]);
  const user = (userId: string, userName: string | null, status: 'active' | 'inactive' | null) => ensureUserReference(em, t, application, userId, userName, time, status);
  const profile = (set: string, value: unknown) => em.query(`UPDATE ${t.users} SET ${set} WHERE application = $1 AND user_id = $2`, [application, id, value]);

  switch (event.type) {
    case 'user.registered':
      await user(id, null, 'active');
      return void (await profile('profile_user_name = $3', event.payload.userName));
    case 'user.renamed':
      await user(id, null, null);
      return void (await profile('profile_user_name = $3', event.payload.userName));
    case 'user.user-data-changed':
      await user(id, null, null);
      return void (await profile('user_data = $3::jsonb', JSON.stringify(event.payload.userData)));
    case 'user.deactivated':
      return user(id, null, 'inactive');
    case 'device.registered':
      await upsertDeviceReference(em, t, event, event.payload.userID, event.payload.userName, { ...event.payload, status: 'active' });
      if (event.payload.userID) await user(event.payload.userID, event.payload.userName, 'active');
      return;
    case 'device.updated':
      return void (await device('platform = COALESCE($4, platform), transport = COALESCE($5, transport), properties = jsonb_strip_nulls(properties || $6::jsonb)', [
        event.payload.platform ?? null,
        event.payload.transport ?? null,
        JSON.stringify(event.payload.properties),
      ]));
    case 'device.deactivated':
      return void (await device(`status = 'inactive'`));
    case 'device.user-assigned':
      if (event.payload.state) await upsertDeviceReference(em, t, event, event.payload.userID, event.payload.userName, event.payload.state);
      else await device('user_id = $4, user_name = $5', [event.payload.userID, event.payload.userName]);
      return user(event.payload.userID, event.payload.userName, 'active');
    case 'device.user-removed':
      if (event.payload.state) return upsertDeviceReference(em, t, event, null, null, event.payload.state);
      return void (await device('user_id = NULL, user_name = NULL'));
    case 'device.tags-changed':
      return void (await device('tags = $4', [event.payload.tags]));
    case 'device.user-data-changed':
      return void (await device('user_data = $4::jsonb', [JSON.stringify(event.payload.userData)]));
    case 'device.replaced':
      return void (await em.query(`DELETE FROM ${t.devices} WHERE application = $1 AND device_id = $2`, [application, id]));
    case 'device.user-erased':
      return void (await device(`user_id = NULL, user_name = NULL, user_data = '{}'::jsonb, properties = properties - 'location' - 'locationAccuracy' - 'altitude'`));
    case 'recipient.registered':
      await upsertContactReference(em, t, event, event.payload.userID, event.payload.userName, event.payload);
      if (event.payload.userID) await user(event.payload.userID, event.payload.userName, 'active');
      return;
    case 'recipient.updated':
      return void (await contact('properties = jsonb_strip_nulls(properties || $4::jsonb)', [JSON.stringify(event.payload.properties)]));
    case 'recipient.deactivated':
      return void (await contact(`status = 'inactive', verification = CASE WHEN verification = 'pending' THEN 'none' ELSE verification END`));
    case 'recipient.user-assigned':
      if (event.payload.state) await upsertContactReference(em, t, event, event.payload.userID, event.payload.userName, event.payload.state);
      else await contact('user_id = $4, user_name = $5', [event.payload.userID, event.payload.userName]);
      return user(event.payload.userID, event.payload.userName, 'active');
    case 'recipient.user-removed':
      if (event.payload.state) return upsertContactReference(em, t, event, null, null, event.payload.state);
      return void (await contact('user_id = NULL, user_name = NULL'));
    case 'recipient.tags-changed':
      return void (await contact('tags = $4', [event.payload.tags]));
    case 'recipient.user-data-changed':
      return void (await contact('user_data = $4::jsonb', [JSON.stringify(event.payload.userData)]));
    case 'recipient.verification-requested':
      return void (await contact(`verification = 'pending', status = 'inactive'`));
    case 'recipient.verified':
      return void (await contact(`verification = 'verified', status = 'active'`));
    case 'recipient.erased':
      return void (await em.query(`DELETE FROM ${t.recipients} WHERE application = $1 AND recipient_id = $2`, [application, id]));
    case 'application.created':
    case 'application.deleted':
    case 'application.settings-changed':
      throw new Error(`the reference fold does not fold ${event.type}`);
  }
}

async function upsertDeviceReference(em: EntityManager, t: ReadModelTables, event: AnyEvent, userId: string | null, userName: string | null, state: DeviceChannelState): Promise<void> {
  await em.query(
    `INSERT INTO ${t.devices} (application, device_id, user_id, user_name, platform, transport, properties, tags, user_data, status, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9::jsonb, $10, $11, $11)
     ON CONFLICT (application, device_id) DO UPDATE SET
       user_id = EXCLUDED.user_id, user_name = EXCLUDED.user_name, platform = EXCLUDED.platform, transport = EXCLUDED.transport,
       properties = EXCLUDED.properties, tags = EXCLUDED.tags, user_data = EXCLUDED.user_data, status = EXCLUDED.status, updated_at = EXCLUDED.updated_at`,
    [event.application, event.aggregateId, userId, userName, state.platform, state.transport, JSON.stringify(state.properties), state.tags, JSON.stringify(state.userData), state.status, event.time],
  );
}

async function upsertContactReference(em: EntityManager, t: ReadModelTables, event: AnyEvent, userId: string | null, userName: string | null, state: RecipientChannelState): Promise<void> {
  await em.query(
    `INSERT INTO ${t.recipients} (application, recipient_id, channel, address, user_id, user_name, properties, tags, user_data, status, verification, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9::jsonb, $10, $11, $12, $13)
     ON CONFLICT (application, recipient_id) DO UPDATE SET
       channel = EXCLUDED.channel, address = EXCLUDED.address, user_id = EXCLUDED.user_id, user_name = EXCLUDED.user_name,
       properties = EXCLUDED.properties, tags = EXCLUDED.tags, user_data = EXCLUDED.user_data, status = EXCLUDED.status,
       verification = EXCLUDED.verification, updated_at = EXCLUDED.updated_at`,
    [
      event.application,
      event.aggregateId,
      state.channel,
      state.address,
      userId,
      userName,
      JSON.stringify(state.properties),
      state.tags,
      JSON.stringify(state.userData),
      state.status,
      state.verification,
      state.createdAt ?? event.time,
      event.time,
    ],
  );
}

/** The user's row, with the order-independent rules of Projection.ensureUser (`status` null: kept). */
async function ensureUserReference(
  em: EntityManager,
  t: ReadModelTables,
  application: string,
  userId: string,
  userName: string | null,
  time: string,
  status: 'active' | 'inactive' | null,
): Promise<void> {
  const newerName = `EXCLUDED.channel_user_name IS NOT NULL AND (u.channel_user_name IS NULL
    OR (EXCLUDED.channel_user_name_at, EXCLUDED.channel_user_name) > (u.channel_user_name_at, u.channel_user_name))`;
  const newerStatus = `EXCLUDED.status_at IS NOT NULL AND (u.status_at IS NULL
    OR (EXCLUDED.status_at, EXCLUDED.status = 'inactive') > (u.status_at, u.status = 'inactive'))`;
  await em.query(
    `INSERT INTO ${t.users} AS u (application, user_id, channel_user_name, channel_user_name_at, status, status_at, created_at, updated_at)
     VALUES ($1, $2, $3, CASE WHEN $3::text IS NULL THEN NULL ELSE $4::timestamptz END, COALESCE($5, 'active'), CASE WHEN $5::text IS NULL THEN NULL ELSE $4::timestamptz END, $4, $4)
     ON CONFLICT (application, user_id) DO UPDATE SET
       channel_user_name = CASE WHEN ${newerName} THEN EXCLUDED.channel_user_name ELSE u.channel_user_name END,
       channel_user_name_at = CASE WHEN ${newerName} THEN EXCLUDED.channel_user_name_at ELSE u.channel_user_name_at END,
       status = CASE WHEN ${newerStatus} THEN EXCLUDED.status ELSE u.status END,
       status_at = CASE WHEN ${newerStatus} THEN EXCLUDED.status_at ELSE u.status_at END,
       created_at = LEAST(u.created_at, EXCLUDED.created_at),
       updated_at = GREATEST(u.updated_at, EXCLUDED.updated_at)`,
    [application, userId, userName, time, status],
  );
}

async function eraseReference(em: EntityManager, t: ReadModelTables, application: string, userId: string): Promise<void> {
  const user = [application, userId];
  await em.query(`DELETE FROM ${t.users} WHERE application = $1 AND user_id = $2`, user);
  await em.query(`DELETE FROM ${t.recipients} WHERE application = $1 AND user_id = $2`, user);
  await em.query(
    `UPDATE ${t.devices} SET user_id = NULL, user_name = NULL, user_data = '{}'::jsonb, properties = properties - 'location' - 'locationAccuracy' - 'altitude'
      WHERE application = $1 AND user_id = $2`,
    user,
  );
  await em.query(`DELETE FROM ${t.entityVersions} WHERE application = $1 AND entity_type = 'user' AND entity_id = $2`, user);
  await em.query(`DELETE FROM personal_data.subject_keys WHERE application = $1 AND user_id = $2`, user);
}
