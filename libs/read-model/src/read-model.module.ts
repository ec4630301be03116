import { Module } from '@nestjs/common';
import { DeviceReads } from './devices';
import { OutcomeReads } from './outcomes';
import { ProfileReads } from './profiles';
import { UserReads } from './users';

const READS = [ProfileReads, UserReads, DeviceReads, OutcomeReads];

/** The read model's queries, for the app that reads it (the gateway); needs the DataSource (DatabaseModule). */
@Module({ providers: READS, exports: READS })
export class ReadModelModule {}
