import { Inject, Injectable } from '@nestjs/common';
import { SERVICE_SCHEMA } from '@omni/persistence';
import { ReadModelTables, readModelTables } from '@omni/read-model';

/** Where the read model lives: the schema of the data source (the live one, or a replay's rebuild). */
@Injectable()
export class ReadModel {
  readonly tables: ReadModelTables;

  constructor(@Inject(SERVICE_SCHEMA) readonly schema: string) {
    this.tables = readModelTables(schema);
  }
}
