import { Body, Controller, Delete, Get, Param, Post, Put, Res } from '@nestjs/common';
import { FastifyReply } from 'fastify';
import {
  ADD_DEVICE_TAGS,
  CLEAR_DEVICE_TAGS,
  DEACTIVATE_DEVICE,
  DEVICE_PROPERTY_KEYS,
  DEVICE_UPDATABLE_PROPERTY_KEYS,
  REGISTER_DEVICE,
  REMOVE_DEVICE_TAGS,
  RegisterDevicePayload,
  UPDATE_DEVICE,
  UpdateDevicePayload,
} from '@omni/contracts';
import { DeviceReads } from '@omni/read-model';
import { Accepts, ApplicationKey, Credential, CredentialKind } from '../auth/auth.guard';
import { reply } from '../commands/http-answer';
import { WriteHeaders, WriteOptions } from '../commands/request-headers';
import { DeviceCommands, commandCredential, defined, message } from './device-commands';
import { DeviceIdPipe, deviceNotFound } from './device-id.pipe';
import { RegisterDeviceDto } from './dto/register-device.dto';
import { TagDto, TagsDto } from './dto/tags.dto';
import { UpdateDeviceDto } from './dto/update-device.dto';
import { dndFromBody } from './dto/dnd-body';
import { userDataFromBody } from './dto/user-data-body';

function pick<K extends string>(source: Partial<Record<K, unknown>>, keys: readonly K[]): Partial<Record<K, unknown>> {
  return defined(Object.fromEntries(keys.map((key) => [key, source[key]])) as Partial<Record<K, unknown>>);
}

/**
 * The device's own routes (reference: Notificare SDK API): the SDK calls them with the application
 * secret; a backend may call them with the master secret. Every write is a command on
 * device.commands keyed by the deviceID; reads come from the read model. A device that is not
 * active in the caller's application is 404 (`DEVICE_NOT_FOUND`) on every route but POST /device.
 */
@Controller('device')
export class DevicesController {
  constructor(
    private readonly writes: DeviceCommands,
    private readonly devices: DeviceReads,
  ) {}

  /**
   * Register a device, new or known (a deactivated one comes back); with oldDeviceID the old
   * device's user, tags and user data move here. 201 `{device: {deviceID, message}}` when the
   * deviceID is new, else 200 `{message: 'device updated'}`. A userID from the SDK when user
   * registration is restricted to the API is 403 `USER_REGISTRATION_RESTRICTED`.
   */
  @Post()
  @Accepts('sdk', 'master')
  async register(
    @ApplicationKey() application: string,
    @Credential() credential: CredentialKind,
    @Body() body: RegisterDeviceDto,
    @WriteHeaders() write: WriteOptions,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    const payload = defined({
      ...pick(body, DEVICE_PROPERTY_KEYS),
      platform: body.platform,
      transport: body.transport,
      oldDeviceID: body.oldDeviceID,
      userID: body.userID,
      userName: body.userName,
      credential: commandCredential(credential),
    }) as RegisterDevicePayload;
    const answer = await this.writes.send(application, body.deviceID, REGISTER_DEVICE, payload, write, (outcome) =>
      outcome.created
        ? { status: 201, body: { device: { deviceID: body.deviceID, message: 'device updated' } } }
        : { status: 200, body: { message: 'device updated' } },
    );
    return reply(res, answer);
  }

  /** Update what the device reports about itself: language, region, time zone, location, capabilities. */
  @Put(':deviceID')
  @Accepts('sdk', 'master')
  async update(
    @ApplicationKey() application: string,
    @Param('deviceID', DeviceIdPipe) deviceId: string,
    @Body() body: UpdateDeviceDto,
    @WriteHeaders() write: WriteOptions,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    const payload = pick(body, DEVICE_UPDATABLE_PROPERTY_KEYS) as UpdateDevicePayload;
    return reply(res, await this.writes.send(application, deviceId, UPDATE_DEVICE, payload, write, message('device updated')));
  }

  /** Deactivate: the device leaves the lists and stops receiving; it comes back when it registers again. */
  @Delete(':deviceID')
  @Accepts('sdk', 'master')
  async deactivate(
    @ApplicationKey() application: string,
    @Credential() credential: CredentialKind,
    @Param('deviceID', DeviceIdPipe) deviceId: string,
    @WriteHeaders() write: WriteOptions,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    const payload = { credential: commandCredential(credential) };
    return reply(res, await this.writes.send(application, deviceId, DEACTIVATE_DEVICE, payload, write, message('device deactivated')));
  }

  @Get(':deviceID/tags')
  @Accepts('sdk', 'master')
  async tags(@ApplicationKey() application: string, @Param('deviceID', DeviceIdPipe) deviceId: string) {
    const tags = await this.devices.tags(application, deviceId);
    if (!tags) throw deviceNotFound();
    return { tags };
  }

  @Put(':deviceID/addtag')
  @Accepts('sdk', 'master')
  async addTag(
    @ApplicationKey() application: string,
    @Param('deviceID', DeviceIdPipe) deviceId: string,
    @Body() body: TagDto,
    @WriteHeaders() write: WriteOptions,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    return reply(res, await this.writes.send(application, deviceId, ADD_DEVICE_TAGS, { tags: [body.tag] }, write, message('device updated')));
  }

  @Put(':deviceID/addtags')
  @Accepts('sdk', 'master')
  async addTags(
    @ApplicationKey() application: string,
    @Param('deviceID', DeviceIdPipe) deviceId: string,
    @Body() body: TagsDto,
    @WriteHeaders() write: WriteOptions,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    return reply(res, await this.writes.send(application, deviceId, ADD_DEVICE_TAGS, { tags: body.tags }, write, message('device updated')));
  }

  @Put(':deviceID/removetag')
  @Accepts('sdk', 'master')
  async removeTag(
    @ApplicationKey() application: string,
    @Param('deviceID', DeviceIdPipe) deviceId: string,
    @Body() body: TagDto,
    @WriteHeaders() write: WriteOptions,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    return reply(res, await this.writes.send(application, deviceId, REMOVE_DEVICE_TAGS, { tags: [body.tag] }, write, message('device updated')));
  }

  @Put(':deviceID/removetags')
  @Accepts('sdk', 'master')
  async removeTags(
    @ApplicationKey() application: string,
    @Param('deviceID', DeviceIdPipe) deviceId: string,
    @Body() body: TagsDto,
    @WriteHeaders() write: WriteOptions,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    return reply(res, await this.writes.send(application, deviceId, REMOVE_DEVICE_TAGS, { tags: body.tags }, write, message('device updated')));
  }

  @Put(':deviceID/cleartags')
  @Accepts('sdk', 'master')
  async clearTags(
    @ApplicationKey() application: string,
    @Credential() credential: CredentialKind,
    @Param('deviceID', DeviceIdPipe) deviceId: string,
    @WriteHeaders() write: WriteOptions,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    const payload = { credential: commandCredential(credential) };
    return reply(res, await this.writes.send(application, deviceId, CLEAR_DEVICE_TAGS, payload, write, message('device updated')));
  }

  /** The device's user data: its user's when it has one, else its own. */
  @Get(':deviceID/userdata')
  @Accepts('sdk', 'master')
  async userData(@ApplicationKey() application: string, @Param('deviceID', DeviceIdPipe) deviceId: string) {
    const userData = await this.devices.userData(application, deviceId);
    if (!userData) throw deviceNotFound();
    return { userData };
  }

  /** Set user data fields (flat body, as the SDK sends it; the wrapped `{userData}` form works too). */
  @Put(':deviceID/userdata')
  @Accepts('sdk', 'master')
  async putUserData(
    @ApplicationKey() application: string,
    @Credential() credential: CredentialKind,
    @Param('deviceID', DeviceIdPipe) deviceId: string,
    @Body() body: unknown,
    @WriteHeaders() write: WriteOptions,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    const userData = userDataFromBody(body);
    const answer = await this.writes.overrideUserData(application, deviceId, userData, commandCredential(credential), write, message('device updated'));
    return reply(res, answer);
  }

  /** The device's Do Not Disturb period: `{dnd: {start, end}}`, or `{dnd: null}` when it has none. */
  @Get(':deviceID/dnd')
  @Accepts('sdk', 'master')
  async dnd(@ApplicationKey() application: string, @Param('deviceID', DeviceIdPipe) deviceId: string) {
    const period = await this.devices.dnd(application, deviceId);
    if (!period) throw deviceNotFound();
    return period;
  }

  /** Set the Do Not Disturb period, `{"start": "23:00", "end": "07:00"}` (HH:mm, 24-hour): a device update. */
  @Put(':deviceID/dnd')
  @Accepts('sdk', 'master')
  async putDnd(
    @ApplicationKey() application: string,
    @Param('deviceID', DeviceIdPipe) deviceId: string,
    @Body() body: unknown,
    @WriteHeaders() write: WriteOptions,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    const payload: UpdateDevicePayload = { dnd: dndFromBody(body) };
    return reply(res, await this.writes.send(application, deviceId, UPDATE_DEVICE, payload, write, message('device updated')));
  }

  /** Clear the Do Not Disturb period (a device update setting it to null). */
  @Put(':deviceID/cleardnd')
  @Accepts('sdk', 'master')
  async clearDnd(
    @ApplicationKey() application: string,
    @Param('deviceID', DeviceIdPipe) deviceId: string,
    @WriteHeaders() write: WriteOptions,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    return reply(res, await this.writes.send(application, deviceId, UPDATE_DEVICE, { dnd: null }, write, message('device updated')));
  }
}
