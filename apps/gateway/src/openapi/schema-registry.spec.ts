import type { ReferenceObject, SchemaObject } from '@nestjs/swagger';
import { PutSettingsDto, PutUserDataFieldDto } from '../applications/dto/settings.dto';
import { ListQueryDto } from '../applications/dto/list-query.dto';
import { AssignDeviceUserDto } from '../devices/dto/assign-user.dto';
import { RegisterDeviceDto } from '../devices/dto/register-device.dto';
import { TagDto, TagsDto } from '../devices/dto/tags.dto';
import { CreateEmailDto, CreateSmsDto } from '../recipients/dto/recipient.dto';
import { OverrideUserDataDto } from '../users/dto/override-user-data.dto';
import { SchemaRegistry } from './schema-registry';

const property = (schema: SchemaObject, name: string) => schema.properties?.[name] as SchemaObject;

describe('SchemaRegistry (class-validator metadata → JSON Schema)', () => {
  it('a scalar validated `each` (IsTag on `tag: string`) stays a string; a list of tags is an array of them', () => {
    const registry = new SchemaRegistry();
    expect(property(registry.schemaOf(TagDto), 'tag')).toMatchObject({ type: 'string', minLength: 1, maxLength: 64 });
    expect(property(registry.schemaOf(TagDto), 'tag').items).toBeUndefined();
    expect(property(registry.schemaOf(TagsDto), 'tags')).toMatchObject({ type: 'array', minItems: 1, maxItems: 100, items: { type: 'string', maxLength: 64 } });
    expect(registry.schemaOf(TagsDto).required).toEqual(['tags']);
  });

  it('required unless @IsOptional, which also makes a property nullable; nested classes become components', () => {
    const registry = new SchemaRegistry();
    const device = registry.schemaOf(RegisterDeviceDto);
    expect(device.required?.sort()).toEqual(['deviceID', 'platform']);
    expect(property(device, 'platform')).toEqual({ type: 'string', enum: ['iOS', 'tvOS', 'Android', 'Web'] });
    expect(property(device, 'userID')).toMatchObject({ type: 'string', maxLength: 256, nullable: true });
    expect(device.properties?.credential).toBeUndefined();
    expect(device.properties?.location).toEqual({ allOf: [{ $ref: '#/components/schemas/DeviceLocation' }], nullable: true });
    const settings = registry.schemaOf(PutSettingsDto);
    expect(((property(settings, 'userDataFields').items ?? {}) as ReferenceObject).$ref).toBe('#/components/schemas/UserDataFieldDefinition');
    const components = registry.components();
    expect(components.DeviceLocation).toMatchObject({ required: ['type', 'coordinates'], properties: { coordinates: { type: 'array', minItems: 2, maxItems: 2 } } });
    expect(components.UserDataFieldDefinition.required?.sort()).toEqual(['key', 'label', 'type']);
  });

  it('classes made by OmitType keep their own properties (no mix-up between them)', () => {
    const registry = new SchemaRegistry();
    expect(Object.keys(registry.schemaOf(PutUserDataFieldDto).properties ?? {}).sort()).toEqual(['label', 'required', 'type', 'values']);
    expect(Object.keys(registry.schemaOf(AssignDeviceUserDto).properties ?? {}).sort()).toEqual(['userID', 'userName']);
    expect(registry.schemaOf(AssignDeviceUserDto).required).toEqual(['userID']);
    const email = registry.schemaOf(CreateEmailDto);
    expect(email.required).toEqual(['email']);
    expect(property(email, 'email')).toMatchObject({ type: 'string', format: 'email' });
    expect(property(registry.schemaOf(CreateSmsDto), 'phone').format).toBeUndefined();
    expect(email.properties?.credential).toBeUndefined();
  });

  it('custom validators: user data maps, regions, integers with bounds', () => {
    const registry = new SchemaRegistry();
    expect(property(registry.schemaOf(OverrideUserDataDto), 'userData')).toMatchObject({
      type: 'object',
      maxProperties: 200,
      additionalProperties: { nullable: true },
    });
    expect(property(registry.schemaOf(CreateEmailDto), 'region')).toMatchObject({ type: 'string', pattern: '^[A-Za-z]{2}$', nullable: true });
    expect(property(registry.schemaOf(ListQueryDto), 'limit')).toMatchObject({ type: 'integer', minimum: 1, maximum: 1000 });
    expect(property(registry.schemaOf(ListQueryDto), 'skip')).toMatchObject({ type: 'integer', minimum: 0 });
  });
});
