import { Body, Controller, Delete, Get, Inject, Param, Put, Query, Res } from '@nestjs/common';
import { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { ASSIGN_DEVICE_USER, REMOVE_DEVICE_USER } from '@omni/contracts';
import { Accepts, ApplicationKey, Credential, CredentialKind } from '../auth/auth.guard';
import { CommandBus } from '../commands/command-bus';
import { reply } from '../commands/http-answer';
import { WriteHeaders, WriteOptions } from '../commands/request-headers';
import { UserIdPipe } from '../users/user-id.pipe';
import { DeviceCommands, commandCredential, defined, message } from './device-commands';
import { DeviceIdPipe } from './device-id.pipe';
import { DEVICE_PAGE_DEFAULT, DevicesReadModel } from './devices.read-model';
import { AssignDeviceUserDto } from './dto/assign-user.dto';
import { GetDeviceQueryDto, ListDevicesQueryDto } from './dto/device-queries.dto';
import { userDataFromBody } from './dto/user-data-body';

/**
 * The backend's device routes (reference: Notificare REST API, master secret): lists and reads
 * from the read model, and the API-level user registration writes (attach a device to a user,
 * detach it, set its user data).
 */
@Controller('device')
export class DeviceManagementController {
  private readonly devices: DevicesReadModel;
  private readonly writes: DeviceCommands;

  constructor(commands: CommandBus, @Inject(DataSource) dataSource: DataSource) {
    this.devices = new DevicesReadModel(dataSource);
    this.writes = new DeviceCommands(commands, this.devices);
  }

  /** The application's active devices of a medium (default push), `{devices, count}`. */
  @Get()
  @Accepts('master')
  async list(@ApplicationKey() application: string, @Query() query: ListDevicesQueryDto) {
    return this.devices.list(application, {
      medium: query.medium ?? 'push',
      skip: query.skip ?? 0,
      limit: query.limit ?? DEVICE_PAGE_DEFAULT,
    });
  }

  /** A user's active devices of a medium (default push); an unknown user has none. */
  @Get('foruser/:userID')
  @Accepts('master')
  async forUser(@ApplicationKey() application: string, @Param('userID', UserIdPipe) userId: string, @Query() query: ListDevicesQueryDto) {
    return this.devices.list(application, {
      userId,
      medium: query.medium ?? 'push',
      skip: query.skip ?? 0,
      limit: query.limit ?? DEVICE_PAGE_DEFAULT,
    });
  }

  /** `{device: DeviceModel}`; inactive devices only with `?active=any` (or `false`). */
  @Get(':deviceID')
  @Accepts('master')
  async get(@ApplicationKey() application: string, @Param('deviceID', DeviceIdPipe) deviceId: string, @Query() query: GetDeviceQueryDto) {
    return { device: await this.devices.device(application, deviceId, query.active) };
  }

  /** Attach the device to a user (moving it from its previous one). */
  @Put(':deviceID/user')
  @Accepts('master')
  async assignUser(
    @ApplicationKey() application: string,
    @Credential() credential: CredentialKind,
    @Param('deviceID', DeviceIdPipe) deviceId: string,
    @Body() body: AssignDeviceUserDto,
    @WriteHeaders() write: WriteOptions,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    const payload = defined({ userID: body.userID, userName: body.userName, credential: commandCredential(credential) });
    return reply(res, await this.writes.send(application, deviceId, ASSIGN_DEVICE_USER, payload, write, message('device updated')));
  }

  /** Detach the device from its user: it stays registered, anonymous. */
  @Delete(':deviceID/user')
  @Accepts('master')
  async removeUser(
    @ApplicationKey() application: string,
    @Credential() credential: CredentialKind,
    @Param('deviceID', DeviceIdPipe) deviceId: string,
    @WriteHeaders() write: WriteOptions,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    const payload = { credential: commandCredential(credential) };
    return reply(res, await this.writes.send(application, deviceId, REMOVE_DEVICE_USER, payload, write, message('device updated')));
  }

  /**
   * Set the device's user data fields: the documented `{"userData": {...}}` body or the flat one
   * (`{"firstName": "John", ...}`) the omnichannel article sends. The user's data when the device
   * has a user, else the device's own.
   */
  @Put(':deviceID/userdata/override')
  @Accepts('master')
  async overrideUserData(
    @ApplicationKey() application: string,
    @Credential() credential: CredentialKind,
    @Param('deviceID', DeviceIdPipe) deviceId: string,
    @Body() body: unknown,
    @WriteHeaders() write: WriteOptions,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    const userData = userDataFromBody(body);
    const answer = await this.writes.overrideUserData(application, deviceId, userData, commandCredential(credential), write, message('device user data updated'));
    return reply(res, answer);
  }
}
