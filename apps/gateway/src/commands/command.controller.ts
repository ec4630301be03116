import { Controller, Get, Inject, Param, ParseUUIDPipe } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ApiError } from '../errors/api-error';
import { Accepts, ApplicationKey } from '../auth/auth.guard';
import { OutcomeWaiter } from './outcome-waiter';

/** The state of a command sent earlier (after a 202). */
@Controller('command')
export class CommandController {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(OutcomeWaiter) private readonly outcomes: OutcomeWaiter,
  ) {}

  @Get(':commandId')
  @Accepts('master', 'sdk')
  async get(@ApplicationKey() application: string, @Param('commandId', new ParseUUIDPipe()) commandId: string) {
    const rows: { command_type: string; created_at: Date }[] = await this.dataSource.query(
      'SELECT command_type, created_at FROM gateway.commands WHERE command_id = $1 AND application = $2',
      [commandId, application],
    );
    if (rows.length === 0) throw new ApiError(404, 'COMMAND_NOT_FOUND', 'command not found');
    const outcome = await this.outcomes.read(commandId, application);
    const status = !outcome || !outcome.visible ? 'pending' : outcome.status === 'accepted' ? 'completed' : 'rejected';
    return {
      command: {
        id: commandId,
        type: rows[0].command_type,
        status,
        createdAt: rows[0].created_at,
        ...(status === 'rejected' && outcome?.error ? { error: outcome.error } : {}),
      },
    };
  }
}
