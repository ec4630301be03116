import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query, Res } from '@nestjs/common';
import { FastifyReply } from 'fastify';
import { DEACTIVATE_USER, OVERRIDE_USER_DATA, Topics, UPDATE_USER } from '@omni/contracts';
import { ProfileReads, UserReads, UserRecord } from '@omni/read-model';
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
    private readonly profiles: ProfileReads,
    private readonly users: UserReads,
    private readonly erasure: UserErasure,
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
    const { count, users } = await this.users.activePage(application, query.skip ?? 0, query.limit ?? 25);
    return { count, users: users.map((user) => toUser(application, user)) };
  }

  /** The unified profile: the user, every channel, the user's data. */
  @Get('foruserid/:userID/profile')
  @Accepts('master')
  async profile(@ApplicationKey() application: string, @Param('userID', UserIdPipe) userID: string) {
    const profile = await this.profiles.find(application, userID);
    if (!profile) throw userNotFound();
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
    if (!(await this.users.exists(application, userID))) throw userNotFound();
  }

  /** A user, from the read model (reference: GET /user/foruserid/{userID}). */
  @Get('foruserid/:userID')
  @Accepts('master')
  async get(@ApplicationKey() application: string, @Param('userID', UserIdPipe) userID: string) {
    const user = await this.users.find(application, userID);
    if (!user) throw userNotFound();
    return { user: toUser(application, user) };
  }
}

const userNotFound = () => new ApiError(404, 'USER_NOT_FOUND', 'user not found');

/**
 * The reference's user object. `segments` is always empty (the platform has no user segments) and
 * `autoGenerated` always false (every user here has the userID a backend or SDK gave it): both are
 * kept for clients written against the reference.
 */
function toUser(application: string, user: UserRecord) {
  return {
    application,
    userID: user.userId,
    userName: user.userName,
    active: user.active,
    autoGenerated: false,
    segments: [] as string[],
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
  };
}
