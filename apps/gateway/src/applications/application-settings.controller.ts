import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApplicationSettings, USER_DATA_FIELD_KEY, UserDataFieldDefinition, channelLimitsOf } from '@omni/contracts';
import { ApplicationCache } from '../auth/application-cache';
import { Accepts, ApplicationKey } from '../auth/auth.guard';
import { ApiError } from '../errors/api-error';
import { ApplicationsStore } from './applications.store';
import { PutSettingsDto, PutUserDataFieldDto } from './dto/settings.dto';
import { checkFieldDefinitions, normalise } from './user-data-field-rules';

const fieldNotFound = () => new ApiError(404, 'USER_DATA_FIELD_NOT_FOUND', 'user data field not found');

/**
 * The application's settings (master secret): user registration mode and user data field
 * definitions. Each change is published whole on application.events; services apply it within a
 * second. Removing a field keeps the values profiles already hold (nothing is rewritten): they are
 * no longer validated, and writing that field is refused as unknown until it is defined again.
 */
@Controller('application')
export class ApplicationSettingsController {
  constructor(
    private readonly applications: ApplicationsStore,
    private readonly cache: ApplicationCache,
  ) {}

  @Get('settings')
  @Accepts('master')
  async get(@ApplicationKey() application: string) {
    return { settings: withLimitsInForce(await this.settingsOf(application)) };
  }

  @Put('settings')
  @Accepts('master')
  async put(@ApplicationKey() application: string, @Body() body: PutSettingsDto) {
    const fields = body.userDataFields && checkFieldDefinitions(body.userDataFields);
    const settings = await this.edit(application, (current) => ({
      userRegistration: body.userRegistration ?? current.userRegistration,
      userDataFields: fields ?? current.userDataFields,
      // Stored whole (the defaults of the limits it does not name included): every service applies the same document.
      channelLimits: channelLimitsOf(current, body.channelLimits),
    }));
    return { settings: withLimitsInForce(settings) };
  }

  @Get('userdatafields')
  @Accepts('master')
  async listFields(@ApplicationKey() application: string) {
    return { userDataFields: (await this.settingsOf(application)).userDataFields };
  }

  @Post('userdatafields')
  @Accepts('master')
  @HttpCode(201)
  async createField(@ApplicationKey() application: string, @Body() body: UserDataFieldDefinition) {
    const field = normalise(body);
    await this.edit(application, (current) => {
      if (current.userDataFields.some((existing) => existing.key === field.key)) {
        throw new ApiError(409, 'USER_DATA_FIELD_EXISTS', `user data field "${field.key}" exists`, [
          { field: 'key', message: 'already defined' },
        ]);
      }
      return { ...current, userDataFields: [...current.userDataFields, field] };
    });
    return { userDataField: field };
  }

  @Get('userdatafields/:key')
  @Accepts('master')
  async getField(@ApplicationKey() application: string, @Param('key') key: string) {
    const field = (await this.settingsOf(application)).userDataFields.find((existing) => existing.key === key);
    if (!field) throw fieldNotFound();
    return { userDataField: field };
  }

  /** Replace a field's definition (its key stays). */
  @Put('userdatafields/:key')
  @Accepts('master')
  async putField(@ApplicationKey() application: string, @Param('key') key: string, @Body() body: PutUserDataFieldDto) {
    if (!USER_DATA_FIELD_KEY.test(key)) throw fieldNotFound();
    const field = normalise({ ...body, key });
    await this.edit(application, (current) => {
      if (!current.userDataFields.some((existing) => existing.key === key)) throw fieldNotFound();
      return { ...current, userDataFields: current.userDataFields.map((existing) => (existing.key === key ? field : existing)) };
    });
    return { userDataField: field };
  }

  @Delete('userdatafields/:key')
  @Accepts('master')
  @HttpCode(204)
  async deleteField(@ApplicationKey() application: string, @Param('key') key: string): Promise<void> {
    await this.edit(application, (current) => {
      if (!current.userDataFields.some((existing) => existing.key === key)) throw fieldNotFound();
      return { ...current, userDataFields: current.userDataFields.filter((existing) => existing.key !== key) };
    });
  }

  /** What the SDK needs to know (reference: GET /application/info). */
  @Get('info')
  @Accepts('sdk')
  async info(@ApplicationKey() application: string) {
    const found = await this.applications.get(application);
    if (!found) throw new ApiError(404, 'APPLICATION_NOT_FOUND', 'application not found');
    return {
      application: {
        _id: found.applicationKey,
        name: found.name,
        userRegistration: found.settings.userRegistration,
        userDataFields: found.settings.userDataFields.map(({ key, label, type, values, required }) => ({
          key,
          label,
          type,
          ...(values ? { values } : {}),
          required,
        })),
      },
    };
  }

  private async settingsOf(application: string): Promise<ApplicationSettings> {
    const found = await this.applications.get(application);
    if (!found) throw new ApiError(404, 'APPLICATION_NOT_FOUND', 'application not found');
    return found.settings;
  }

  private async edit(application: string, change: (current: ApplicationSettings) => ApplicationSettings): Promise<ApplicationSettings> {
    const settings = await this.applications.updateSettings(application, change);
    if (!settings) throw new ApiError(404, 'APPLICATION_NOT_FOUND', 'application not found');
    // Other gateways drop it on NOTIFY; this one before answering, so the client's next write
    // carries the new settings version.
    this.cache.forget(application);
    return settings;
  }
}

/** Settings as answered: the channel limits in force, defaults included. */
function withLimitsInForce(settings: ApplicationSettings): ApplicationSettings {
  return { ...settings, channelLimits: channelLimitsOf(settings) };
}

