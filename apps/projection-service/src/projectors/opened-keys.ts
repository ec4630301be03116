import { OpenedKeys } from '@omni/personal-data';
import { SharedTransaction } from '@omni/persistence';

const OPENED_KEYS = Symbol('subject keys opened in this batch');

/**
 * The subject keys the events of a consumer's batch were opened with: read once per batch. An
 * erasure in the batch forgets them (Projection.erase), so that the user's later events in it no
 * longer open.
 */
export function openedKeys(batch: SharedTransaction): OpenedKeys {
  return batch.local(OPENED_KEYS, () => new OpenedKeys());
}
