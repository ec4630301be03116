import { EntityManager } from 'typeorm';
import { USER_AGGREGATE_EVENTS } from '@omni/contracts';
import { EventOpener } from '@omni/personal-data';
import { batchOf } from '@omni/persistence';
import { PreloadedEntity, ProjectionStore, channelsOf } from '../read-model/projection-store';
import { openedKeys } from './opened-keys';

/**
 * What a unit of work reads before its events are applied, from its messages as read: the keys
 * they are sealed with, then the versions of the entities they are about and the rows of their
 * channels — a statement each, instead of some per event. A user event's id is its key's id on
 * the topic: its user is known once the keys are read.
 */
export async function preloadUnit(store: ProjectionStore, opener: EventOpener, em: EntityManager, messages: readonly Record<string, unknown>[]): Promise<void> {
  const batch = batchOf(em);
  if (!batch) return;
  const keys = new Map((await opener.preloadKeys(em, messages, openedKeys(batch))).map((key) => [key.keyId, key]));
  const users: PreloadedEntity[] = [];
  for (const { type, application, aggregateId } of messages) {
    if (typeof type !== 'string' || !USER_AGGREGATE_EVENTS.has(type) || typeof aggregateId !== 'string') continue;
    const key = keys.get(aggregateId);
    if (key && key.application === application) users.push({ application, entityType: 'user', entityId: key.userId });
  }
  await store.preload(em, [...channelsOf(messages), ...users]);
}
