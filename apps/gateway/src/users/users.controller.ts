import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Put, Query, Res } from '@nestjs/common';
import { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { DEACTIVATE_USER, OVERRIDE_USER_DATA, Topics, UPDATE_USER } from '@omni/contracts';
import { ProfileQuery } from '../profiles/profile.query';
import { Accepts, ApplicationKey } from '../auth/auth.guard';
import { CommandBus } from '../commands/command-bus';
import { reply } from '../commands/http-answer';
import { WriteHeaders, WriteOptions } from '../commands/request-headers';
import { ApiError } from '../errors/api-error';
import { OverrideUserDataDto } from './dto/override-user-data.dto';
import { ListUsersQueryDto } from './dto/list-users-query.dto';
import { UpdateUserDto } from './dto/update-user.dto';
import { UserErasure } from './user-erasure';
import { UserIdPipe } from './user-id.pipe';

@Controller('user')
export class UsersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly profiles: ProfileQuery,
    private readonly erasure: UserErasure,
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

  /** Active users, oldest first (reference: GET /user; limit 1–1000, default 25). */
  @Get()
  @Accepts('master')
  async list(@ApplicationKey() application: string, @Query() query: ListUsersQueryDto) {
    const skip = query.skip ?? 0;
    const limit = query.limit ?? 25;
    const [rows, [{ count }]]: [UserRow[], { count: number }[]] = await Promise.all([
      this.dataSource.query(
        `SELECT user_id, user_name, status, created_at, updated_at FROM projection.users
          WHERE application = $1 AND status = 'active' ORDER BY created_at, user_id OFFSET $2 LIMIT $3`,
        [application, skip, limit],
      ),
      this.dataSource.query(`SELECT count(*)::int AS count FROM projection.users WHERE application = $1 AND status = 'active'`, [application]),
    ]);
    return { count, users: rows.map((row) => toUser(application, row)) };
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

  /**
   * Deactivate (reference: DELETE /user/foruserid/{userID}, 204): hidden from lists and messaging
   * until one of the user's channels registers again. 404 for a user the read model does not know.
   */
  @Delete('foruserid/:userID')
  @Accepts('master')
  async deactivate(
    @ApplicationKey() application: string,
    @Param('userID', UserIdPipe) userID: string,
    @WriteHeaders() write: WriteOptions,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    await this.requireUser(application, userID);
    const answer = await this.commands.execute(
      { application, topic: Topics.profileCommands, type: DEACTIVATE_USER, aggregateId: userID, payload: { credential: 'master' }, ...write },
      () => ({ status: 204, body: undefined }),
    );
    return reply(res, answer);
  }

  /**
   * Erase (reference: DELETE /user/foruserid/{userID}/remove, 202): every trace of the user's
   * personal data goes, in every service, the read model and the snapshots (see UserErasure).
   */
  @Delete('foruserid/:userID/remove')
  @Accepts('master')
  @HttpCode(202)
  async remove(@ApplicationKey() application: string, @Param('userID', UserIdPipe) userID: string) {
    await this.requireUser(application, userID);
    await this.erasure.erase(application, userID);
    return { message: 'user removal is being processed' };
  }

  private async requireUser(application: string, userID: string): Promise<void> {
    const rows: unknown[] = await this.dataSource.query('SELECT 1 FROM projection.users WHERE application = $1 AND user_id = $2', [application, userID]);
    if (rows.length === 0) throw new ApiError(404, 'USER_NOT_FOUND', 'user not found');
  }

  /** A user, from the read model (reference: GET /user/foruserid/{userID}). */
  @Get('foruserid/:userID')
  @Accepts('master')
  async get(@ApplicationKey() application: string, @Param('userID', UserIdPipe) userID: string) {
    const rows: UserRow[] = await this.dataSource.query(
      `SELECT user_id, user_name, status, created_at, updated_at FROM projection.users
        WHERE application = $1 AND user_id = $2`,
      [application, userID],
    );
    const row = rows[0];
    if (!row) throw new ApiError(404, 'USER_NOT_FOUND', 'user not found');
    return { user: toUser(application, row) };
  }
}

interface UserRow {
  user_id: string;
  user_name: string | null;
  status: string;
  created_at: Date;
  updated_at: Date;
}

/**
 * The reference's user object. `segments` is always empty (the platform has no user segments) and
 * `autoGenerated` always false (every user here has the userID a backend or SDK gave it): both are
 * kept for clients written against the reference.
 */
function toUser(application: string, row: UserRow) {
  return {
    application,
    userID: row.user_id,
    userName: row.user_name,
    active: row.status === 'active',
    autoGenerated: false,
    segments: [] as string[],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
