import { CreateReadModel1764345600000 } from './1764345600000-create-read-model';
import { CreateChannelReadModel1764345600001 } from './1764345600001-create-channel-read-model';
import { CreateRecipientsReadModel1764345600002 } from './1764345600002-create-recipients-read-model';
import { ProfileSnapshots1764345600003 } from './1764345600003-profile-snapshots';
import { UserStatusTime1764345600004 } from './1764345600004-user-status-time';
import { OutcomeOtherAggregates1764345600005 } from './1764345600005-outcome-other-aggregates';

/** The projection-service's migrations, oldest first. They run in the data source's schema (live or rebuild). */
export const PROJECTION_MIGRATIONS = [
  CreateReadModel1764345600000,
  CreateChannelReadModel1764345600001,
  CreateRecipientsReadModel1764345600002,
  ProfileSnapshots1764345600003,
  UserStatusTime1764345600004,
  OutcomeOtherAggregates1764345600005,
];
