import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { FastifyReply } from 'fastify';
import { ASSIGN_DEVICE_USER, REMOVE_DEVICE_USER } from '@omni/contracts';
import {
  DeviceFilter,
  DeviceListQuery,
  DeviceReads,
  forUser,
  inRegion,
  matchingSubscription,
  withId,
  withSubscription,
  withTag,
  withinBounds,
  withinDistance,
  withinPolygon,
} from '@omni/read-model';
import { Accepts, ApplicationKey, Credential, CredentialKind } from '../auth/auth.guard';
import { reply } from '../commands/http-answer';
import { WriteHeaders, WriteOptions } from '../commands/request-headers';
import { ListQueryDto } from '../applications/dto/list-query.dto';
import { ApiError } from '../errors/api-error';
import { UserIdPipe } from '../users/user-id.pipe';
import { DeviceCommands, commandCredential, defined, message } from './device-commands';
import { DeviceIdPipe, deviceNotFound } from './device-id.pipe';
import { CoordinatePipe, DistancePipe, PathTextPipe, tagParam } from './device-query-params';
import { AssignDeviceUserDto } from './dto/assign-user.dto';
import { DEVICE_PAGE_DEFAULT, DeviceMediumQueryDto, GetDeviceQueryDto, ListDevicesQueryDto } from './dto/device-queries.dto';
import { DevicesByGeometryDto } from './dto/geometry.dto';
import { userDataFromBody } from './dto/user-data-body';

/** A page of a list query: skip (default 0), limit (default 100, at most 1000), medium (default push). */
function page(query: ListDevicesQueryDto, filter?: DeviceFilter): DeviceListQuery {
  return { filter, medium: query.medium ?? 'push', skip: query.skip ?? 0, limit: query.limit ?? DEVICE_PAGE_DEFAULT };
}

/** Longest region code or region name a device may report (DeviceUpdatableProperties.region). */
const REGION_MAX_LENGTH = 64;
/** Longest subscription id or search string: a deviceID (512) is the longest one. */
const SUBSCRIPTION_MAX_LENGTH = 512;
/** Longest id of a notification, region or beacon in the path (the reference's are 24-character ObjectIds). */
const OBJECT_ID_MAX_LENGTH = 256;

const regionStateNotFound = () => new ApiError(404, 'REGION_STATE_NOT_FOUND', 'region state not found');

/**
 * The backend's device routes (reference: Notificare REST API, master secret): lists and reads
 * from the read model, and the API-level user registration writes (attach a device to a user,
 * detach it, set its user data). Every list is of the application's active devices only.
 */
@Controller('device')
export class DeviceManagementController {
  constructor(
    private readonly writes: DeviceCommands,
    private readonly devices: DeviceReads,
  ) {}

  /** The application's active devices of a medium (default push), `{devices, count}`. */
  @Get()
  @Accepts('master')
  async list(@ApplicationKey() application: string, @Query() query: ListDevicesQueryDto) {
    return this.devices.list(application, page(query));
  }

  /** A user's active devices of a medium (default push); an unknown user has none. */
  @Get('foruser/:userID')
  @Accepts('master')
  async forUser(@ApplicationKey() application: string, @Param('userID', UserIdPipe) userId: string, @Query() query: ListDevicesQueryDto) {
    return this.devices.list(application, page(query, forUser(userId)));
  }

  /**
   * The push devices of a user that have a notification in their inbox. The product keeps no
   * notification inbox: no device has any, so the list is empty (for any user, as /foruser
   * answers an unknown user).
   */
  @Get('foruser/:userID/fornotification/:notification')
  @Accepts('master')
  forUserForNotification(@Param('userID', UserIdPipe) _userId: string, @Param('notification', new PathTextPipe('notification', OBJECT_ID_MAX_LENGTH)) _notification: string) {
    return { devices: [], count: 0 };
  }

  /** Devices located inside a GeoJSON polygon (its exterior ring, outside its holes). 200, as the reference. */
  @Post('bygeometry')
  @HttpCode(200)
  @Accepts('master')
  async byGeometry(@ApplicationKey() application: string, @Body() body: DevicesByGeometryDto, @Query() query: ListDevicesQueryDto) {
    return this.devices.list(application, page(query, withinPolygon(body.geometry.coordinates)));
  }

  /** Devices located in the box of two opposite corners (latitude and longitude in degrees). */
  @Get('bylocation/:lat1/:long1/:lat2/:long2')
  @Accepts('master')
  async byBounds(
    @ApplicationKey() application: string,
    @Param('lat1', new CoordinatePipe('lat1', 'latitude')) lat1: string,
    @Param('long1', new CoordinatePipe('long1', 'longitude')) long1: string,
    @Param('lat2', new CoordinatePipe('lat2', 'latitude')) lat2: string,
    @Param('long2', new CoordinatePipe('long2', 'longitude')) long2: string,
    @Query() query: ListDevicesQueryDto,
  ) {
    const corners = { lat1: Number(lat1), long1: Number(long1), lat2: Number(lat2), long2: Number(long2) };
    return this.devices.list(application, page(query, withinBounds(corners)));
  }

  /** Devices located at most `distance` kilometres (great-circle) from a point. */
  @Get('bylocation/:latitude/:longitude/:distance')
  @Accepts('master')
  async byDistance(
    @ApplicationKey() application: string,
    @Param('latitude', new CoordinatePipe('latitude', 'latitude')) latitude: string,
    @Param('longitude', new CoordinatePipe('longitude', 'longitude')) longitude: string,
    @Param('distance', DistancePipe) distance: string,
    @Query() query: ListDevicesQueryDto,
  ) {
    return this.devices.list(application, page(query, withinDistance({ latitude: Number(latitude), longitude: Number(longitude) }, Number(distance))));
  }

  /**
   * Devices of a region. The product has no geofence regions: `region` is the region (or country)
   * code a device reports in its `region` property (e.g. `NL`, any letter case); a geofence
   * region id matches no device.
   */
  @Get('forregion/:region')
  @Accepts('master')
  async forRegion(@ApplicationKey() application: string, @Param('region', new PathTextPipe('region', REGION_MAX_LENGTH)) region: string, @Query() query: ListDevicesQueryDto) {
    return this.devices.list(application, page(query, inRegion(region)));
  }

  /**
   * The device of a subscription id — a push device's deviceID, an email contact's address, an
   * SMS number's phone number — as a list of at most one device per medium.
   */
  @Get('forsubscription/:subscription')
  @Accepts('master')
  async forSubscription(
    @ApplicationKey() application: string,
    @Param('subscription', new PathTextPipe('subscription', SUBSCRIPTION_MAX_LENGTH)) subscription: string,
    @Query() query: DeviceMediumQueryDto,
  ) {
    return this.devices.list(application, { filter: withSubscription(subscription), medium: query.medium ?? 'push', skip: 0, limit: DEVICE_PAGE_DEFAULT });
  }

  /**
   * Search by deviceID or subscription id: a device whose deviceID is the search string exactly
   * is the only answer; else push devices whose deviceID is it, and email contacts and SMS
   * numbers whose address contains it (any letter case).
   */
  @Get('search/:search')
  @Accepts('master')
  async search(@ApplicationKey() application: string, @Param('search', new PathTextPipe('search', SUBSCRIPTION_MAX_LENGTH)) search: string, @Query() query: ListDevicesQueryDto) {
    const exact = await this.devices.list(application, page(query, withId(search)));
    return exact.count > 0 ? exact : this.devices.list(application, page(query, matchingSubscription(search)));
  }

  /** Devices that have a tag. */
  @Get('fortag/:tag')
  @Accepts('master')
  async forTag(@ApplicationKey() application: string, @Param('tag', tagParam()) tag: string, @Query() query: ListDevicesQueryDto) {
    return this.devices.list(application, page(query, withTag(tag)));
  }

  /** How many devices (of the medium, default push) have a tag: `{count}`. */
  @Get('fortag/:tag/count')
  @Accepts('master')
  async forTagCount(@ApplicationKey() application: string, @Param('tag', tagParam()) tag: string, @Query() query: DeviceMediumQueryDto) {
    return { count: await this.devices.count(application, { filter: withTag(tag), medium: query.medium ?? 'push' }) };
  }

  /** The application's tags (of its active devices of every medium), each with its device count: DeviceTagList. */
  @Get('tags')
  @Accepts('master')
  async tagList(@ApplicationKey() application: string, @Query() query: ListQueryDto) {
    return this.devices.tagList(application, { skip: query.skip ?? 0, limit: query.limit ?? DEVICE_PAGE_DEFAULT });
  }

  /** The application's tags that contain a string (any letter case): DeviceTagList. */
  @Get('tags/:tag')
  @Accepts('master')
  async searchTags(@ApplicationKey() application: string, @Param('tag', tagParam()) search: string, @Query() query: ListQueryDto) {
    return this.devices.tagList(application, { search, skip: query.skip ?? 0, limit: query.limit ?? DEVICE_PAGE_DEFAULT });
  }

  /** The device's region states. The product has no geofence regions or beacons: none, `{regionStates: [], count: 0}`. */
  @Get(':deviceID/regionstate')
  @Accepts('master')
  async regionStates(@ApplicationKey() application: string, @Param('deviceID', DeviceIdPipe) deviceId: string) {
    if (!(await this.devices.activeDeviceUser(application, deviceId))) throw deviceNotFound();
    return { regionStates: [], count: 0 };
  }

  /** The device's state in a region: there are no regions, so 404 `REGION_STATE_NOT_FOUND` (an unknown device: `DEVICE_NOT_FOUND`). */
  @Get(':deviceID/regionstate/forregion/:region')
  @Accepts('master')
  async regionStateForRegion(
    @ApplicationKey() application: string,
    @Param('deviceID', DeviceIdPipe) deviceId: string,
    @Param('region', new PathTextPipe('region', OBJECT_ID_MAX_LENGTH)) _region: string,
  ): Promise<never> {
    if (!(await this.devices.activeDeviceUser(application, deviceId))) throw deviceNotFound();
    throw regionStateNotFound();
  }

  /** The device's state at a beacon: there are no beacons, so 404 `REGION_STATE_NOT_FOUND` (an unknown device: `DEVICE_NOT_FOUND`). */
  @Get(':deviceID/regionstate/forbeacon/:beacon')
  @Accepts('master')
  async regionStateForBeacon(
    @ApplicationKey() application: string,
    @Param('deviceID', DeviceIdPipe) deviceId: string,
    @Param('beacon', new PathTextPipe('beacon', OBJECT_ID_MAX_LENGTH)) _beacon: string,
  ): Promise<never> {
    if (!(await this.devices.activeDeviceUser(application, deviceId))) throw deviceNotFound();
    throw regionStateNotFound();
  }

  /** `{device: DeviceModel}`; inactive devices only with `?active=any` (or `false`). */
  @Get(':deviceID')
  @Accepts('master')
  async get(@ApplicationKey() application: string, @Param('deviceID', DeviceIdPipe) deviceId: string, @Query() query: GetDeviceQueryDto) {
    const device = await this.devices.device(application, deviceId, query.active);
    if (!device) throw deviceNotFound();
    return { device };
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
