import { Body, Controller, Get, Inject, Param, Put, Res } from '@nestjs/common';
import { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { OVERRIDE_USER_DATA, Topics, UPDATE_USER } from '@omni/contracts';
import { ProfileQuery } from '../profiles/profile.query';
import { Accepts, ApplicationKey } from '../auth/auth.guard';
import { CommandBus } from '../commands/command-bus';
import { reply } from '../commands/http-answer';
import { WriteHeaders, WriteOptions } from '../commands/request-headers';
import { ApiError } from '../errors/api-error';
import { OverrideUserDataDto } from './dto/override-user-data.dto';
import { UpdateUserDto } from './dto/update-user.dto';
import { UserIdPipe } from './user-id.pipe';

@Controller('user')
export class UsersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly profiles: ProfileQuery,
    @Inject(DataSource) private readonly dataSource: DataSource,
  ) {}

  /** Create or rename a user (reference: PUT /user/foruserid/{userID}). */
  @Put('foruserid/:userID')
  @Accepts('master')
  async update(
    @ApplicationKey() application: string,
    @Param('userID', UserIdPipe) userID: string,
    @Body() body: UpdateUserDto,
    @WriteHeaders() write: WriteOptions,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    const answer = await this.commands.execute(
      {
        application,
        topic: Topics.profileCommands,
        type: UPDATE_USER,
        aggregateId: userID,
        payload: { userName: body.userName ?? null },
        ...write,
      },
      () => ({ status: 200, body: { message: 'user updated' } }),
    );
    return reply(res, answer);
  }

  /** The unified profile: the user, every channel, the user's data. */
  @Get('foruserid/:userID/profile')
  @Accepts('master')
  async profile(@ApplicationKey() application: string, @Param('userID', UserIdPipe) userID: string) {
    const profile = await this.profiles.find(application, userID);
    if (!profile) throw new ApiError(404, 'USER_NOT_FOUND', 'user not found');
    return { profile };
  }

  /** Set user data (override: given fields replace, null clears, others stay). */
  @Put('foruserid/:userID/userdata/override')
  @Accepts('master')
  async overrideUserData(
    @ApplicationKey() application: string,
    @Param('userID', UserIdPipe) userID: string,
    @Body() body: OverrideUserDataDto,
    @WriteHeaders() write: WriteOptions,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    const answer = await this.commands.execute(
      {
        application,
        topic: Topics.profileCommands,
        type: OVERRIDE_USER_DATA,
        aggregateId: userID,
        payload: { userData: body.userData, credential: 'master' },
        ...write,
      },
      () => ({ status: 200, body: { message: 'devices user data updated' } }),
    );
    return reply(res, answer);
  }

  /** A user, from the read model (reference: GET /user/foruserid/{userID}). */
  @Get('foruserid/:userID')
  @Accepts('master')
  async get(@ApplicationKey() application: string, @Param('userID', UserIdPipe) userID: string) {
    const rows: { user_id: string; user_name: string | null; status: string; created_at: Date; updated_at: Date }[] =
      await this.dataSource.query(
        `SELECT user_id, user_name, status, created_at, updated_at FROM projection.users
          WHERE application = $1 AND user_id = $2`,
        [application, userID],
      );
    const row = rows[0];
    if (!row) throw new ApiError(404, 'USER_NOT_FOUND', 'user not found');
    return {
      user: {
        application,
        userID: row.user_id,
        userName: row.user_name,
        active: row.status === 'active',
        createdAt: row.created_at,
        updatedAt: row.updated_at,
      },
    };
  }
}
